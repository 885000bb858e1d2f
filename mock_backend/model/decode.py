"""Reading a model request: the body (JSON or zstd JSON) and the conversation in it.

codex compresses request bodies with zstd (``Content-Encoding: zstd``); the route
removes the coding it names (:func:`mock_backend.request_body.read_decoded`). A body
that still starts with the zstd magic number (sent without the header) is decoded
here, by the same :func:`mock_backend.content_coding.decode` and with the same cap.
Anything that is not a JSON object ends in :class:`BadModelRequest`, whose message is
what the 400 and the journal say.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import content_coding, json_limits
from ..json_limits import JsonLimitError

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Decoded bodies of real turns are ~70 KB; long conversations grow. Beyond this, 413.
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: User messages codex adds itself (``<environment_context>...</environment_context>``):
#: a whole message in one tag, unlike anything a person types.
_WRAPPER = re.compile(r"^\s*<([a-z_]+)>.*</\1>\s*$", re.DOTALL)


class BadModelRequest(ValueError):
    """A model request the mock cannot read; ``str()`` says why."""

    def __init__(self, reason: str, status: int = 400, *, unread: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        #: The body was not read whole: the answer closes the connection.
        self.unread = unread


def decode_body(raw: bytes) -> dict[str, Any]:
    """The request object from raw bytes (plain or zstd-compressed JSON)."""
    return check_request(read_json(plain_bytes(raw), "body"))


def plain_bytes(raw: bytes) -> bytes:
    """The body as JSON bytes: decompressed when it starts with the zstd magic number."""
    if not raw:
        raise BadModelRequest("empty request body: expected a JSON object")
    if raw[:4] != ZSTD_MAGIC:
        return raw
    try:
        return content_coding.decode(raw, "zstd", MAX_DECODED_BYTES)
    except content_coding.UndecodableBody as exc:
        raise BadModelRequest(f"body looks like zstd, but {exc}", exc.status) from exc


def read_json(data: str | bytes, what: str) -> Any:
    """A body or websocket frame as JSON, within the parse limits; the reason otherwise."""
    try:
        return json_limits.loads(data)
    except JsonLimitError as exc:
        raise BadModelRequest(f"{what} refused: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise BadModelRequest(f"{what} is neither JSON nor zstd-compressed JSON") from exc
    except json.JSONDecodeError as exc:
        raise BadModelRequest(
            f"{what} is neither JSON nor zstd-compressed JSON: {exc.msg} at position {exc.pos}"
        ) from exc


def check_request(value: Any) -> dict[str, Any]:
    """The fields the mock relies on, with a clear reason when one is wrong."""
    if not isinstance(value, dict):
        raise BadModelRequest(f"body must be a JSON object, not {type(value).__name__}")
    items = value.get("input", [])
    if not isinstance(items, list):
        raise BadModelRequest("input must be a list of items")
    for name in ("model", "previous_response_id"):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise BadModelRequest(f"{name} must be a string")
    return value


def input_items(body: dict[str, Any]) -> list[Any]:
    items = body.get("input", [])
    return items if isinstance(items, list) else []


def tool_names(body: dict[str, Any]) -> list[str]:
    """The tools a request offers at its top level, by name (``web_search`` and other
    built-in tools have only a type). A "responses lite" body offers its tools inside
    ``input`` instead, and has none here."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return []
    names = [tool.get("name") or tool.get("type") for tool in tools if isinstance(tool, dict)]
    return [str(name) for name in names if name]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = [
        part.get("text")
        for part in content
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    ]
    return "".join(p for p in parts if p is not None)


def _is_user_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("role") == "user"
        and item.get("type", "message") == "message"
    )


def last_user_index(items: list[Any]) -> int | None:
    """Index of the last message the person typed (codex's own wrappers skipped)."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if _is_user_message(item) and not _WRAPPER.match(_text_of(item.get("content"))):
            return index
    return None


def last_user_text(items: list[Any]) -> str:
    index = last_user_index(items)
    return "" if index is None else _text_of(items[index].get("content"))


def output_text(value: Any) -> str:
    """A tool output as text (a string, or a list of content parts)."""
    return value if isinstance(value, str) else _text_of(value)


def tool_outputs_since_user(items: list[Any]) -> list[tuple[str, str]]:
    """(call_id, output) of tool results after the person's last message."""
    start = last_user_index(items)
    found: list[tuple[str, str]] = []
    for item in items[(start + 1 if start is not None else 0) :]:
        if not isinstance(item, dict):
            continue
        if item.get("type") in ("function_call_output", "custom_tool_call_output"):
            found.append((str(item.get("call_id", "")), output_text(item.get("output"))))
    return found


def tool_calls_by_id(items: list[Any]) -> dict[str, dict[str, Any]]:
    return {
        str(item["call_id"]): item
        for item in items
        if isinstance(item, dict)
        and item.get("type") in ("function_call", "custom_tool_call")
        and "call_id" in item
    }
