"""Responses-API events for a scripted answer, and their two encodings.

The same event dictionaries go out as SSE frames (HTTP) and as one text frame
each (websocket). Shapes are the ones codex 0.163.0 was seen to accept: a
message item with ``output_text`` content, ``output_text.delta`` carrying the
``item_id`` of a previously added item, reasoning summary parts and deltas,
``function_call`` with JSON-encoded ``arguments``, ``custom_tool_call`` with raw
``input``, and a ``response.completed`` whose ``response`` has an ``id`` (the
binary retries a stream whose completion lacks one).
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from .forms import OutputItem, ScriptedResponse

Event = dict[str, Any]
_WORDS = re.compile(r"\S+\s*|\s+")


class Ids:
    """Short, readable, per-tenant ids: ``resp-1``, ``msg-2``, ``call-3`` ..."""

    __slots__ = ("_counter", "prefix")

    def __init__(self, prefix: str = "") -> None:
        self._counter = itertools.count(1)
        self.prefix = prefix

    def next(self, kind: str) -> str:
        return f"{kind}-{self.prefix}{next(self._counter)}"


def split_deltas(text: str, count: int | None) -> list[str]:
    """One delta per word (whitespace kept), or ``count`` nearly equal pieces."""
    if not text:
        return []
    if count is None:
        return _WORDS.findall(text)
    count = min(count, len(text))
    size, extra = divmod(len(text), count)
    pieces, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _message(item_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "id": item_id,
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _reasoning(item_id: str, text: str) -> dict[str, Any]:
    return {
        "type": "reasoning",
        "id": item_id,
        "summary": [{"type": "summary_text", "text": text}],
        "encrypted_content": None,
    }


def _added(index: int, item: dict[str, Any]) -> Event:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def _item_events(item: OutputItem, index: int, ids: Ids) -> tuple[list[Event], dict[str, Any]]:
    events: list[Event] = []
    if item.text is not None:
        item_id = ids.next("msg")
        done = _message(item_id, item.text)
        if item.stream:
            added = {**done, "content": []}
            events.append(
                {"type": "response.output_item.added", "output_index": index, "item": added}
            )
            events += [
                {
                    "type": "response.output_text.delta",
                    "item_id": item_id,
                    "output_index": index,
                    "content_index": 0,
                    "delta": piece,
                }
                for piece in split_deltas(item.text, item.deltas)
            ]
    elif item.reasoning is not None:
        item_id = ids.next("rs")
        done = _reasoning(item_id, item.reasoning)
        if item.stream:
            added = {**done, "summary": []}
            events.append(
                {"type": "response.output_item.added", "output_index": index, "item": added}
            )
            events.append(
                {
                    "type": "response.reasoning_summary_part.added",
                    "item_id": item_id,
                    "output_index": index,
                    "summary_index": 0,
                    "part": {"type": "summary_text", "text": ""},
                }
            )
            events += [
                {
                    "type": "response.reasoning_summary_text.delta",
                    "item_id": item_id,
                    "output_index": index,
                    "summary_index": 0,
                    "delta": piece,
                }
                for piece in split_deltas(item.reasoning, item.deltas)
            ]
    else:
        call = item.tool_call
        assert call is not None
        call_id = call.call_id or ids.next("call")
        if call.input is not None:
            done = {
                "type": "custom_tool_call",
                "id": ids.next("ctc"),
                "call_id": call_id,
                "name": call.name,
                "input": call.input,
            }
        else:
            done = {
                "type": "function_call",
                "id": ids.next("fc"),
                "call_id": call_id,
                "name": call.name,
                "arguments": json.dumps(call.arguments),
            }
    events.append({"type": "response.output_item.done", "output_index": index, "item": done})
    return events, done


def answer_events(
    script: ScriptedResponse, response_id: str, ids: Ids, websocket: bool
) -> tuple[list[Event], list[dict[str, Any]]]:
    """Events of a content or ``failed`` answer, and the output items it produced."""
    events: list[Event] = []
    if websocket and script.rate_limits is not None:
        events.append(script.rate_limits.event())
    events.append(
        {"type": "response.created", "response": {"id": response_id, "status": "in_progress"}}
    )
    if script.failed is not None:
        events.append(
            {
                "type": "response.failed",
                "response": {
                    "id": response_id,
                    "status": "failed",
                    "error": script.failed.model_dump(),
                },
            }
        )
        return events, []
    output: list[dict[str, Any]] = []
    for index, item in enumerate(script.output_items()):
        item_events, done = _item_events(item, index, ids)
        events += item_events
        output.append(done)
    completed: dict[str, Any] = {"id": response_id, "status": "completed"}
    if script.usage is not None:
        completed["usage"] = script.usage.wire()
    events.append({"type": "response.completed", "response": completed})
    return events, output


def prewarm_events(response_id: str) -> list[Event]:
    """The answer to ``generate: false``: an empty response the next request can chain to."""
    return [
        {"type": "response.created", "response": {"id": response_id, "status": "in_progress"}},
        {"type": "response.completed", "response": {"id": response_id, "status": "completed"}},
    ]


_DEFAULT_ERROR_TYPE = {401: "invalid_request_error", 429: "rate_limit_exceeded"}


def status_body(script: ScriptedResponse) -> dict[str, Any]:
    """The JSON body of a scripted HTTP failure (codex shows ``error.message``)."""
    assert script.status is not None
    if script.body is not None:
        return script.body
    kind = _DEFAULT_ERROR_TYPE.get(
        script.status, "server_error" if script.status >= 500 else "invalid_request_error"
    )
    return {"error": {"type": kind, "code": None, "message": f"scripted {script.status}"}}


def error_frame(script: ScriptedResponse) -> Event:
    """A scripted failure over the websocket: codex reads it as that HTTP status."""
    assert script.status is not None
    frame: Event = {**status_body(script), "type": "error", "status": script.status}
    if script.rate_limits is not None:
        frame["headers"] = script.rate_limits.headers()
    return frame


def sse_frame(event: Event) -> bytes:
    data = json.dumps(event, separators=(",", ":"))
    return f"event: {event.get('type', 'message')}\ndata: {data}\n\n".encode()


def ws_text(event: Event) -> str:
    return json.dumps(event, separators=(",", ":"))
