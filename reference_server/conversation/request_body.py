"""The body and headers of a model request, as 0.163.0 sends them for a catalog model
without ``use_responses_lite``: the base instructions as a developer message, the
conversation in ``input``, a top-level ``tools`` list (``exec_command``), ``stream``,
``store: false``. Kept to what the reference server uses; upstream's many other tools
are left out.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import time
from pathlib import Path
from typing import Any

from ..errors import InvalidRequest
from ..protocol import items as i
from ..release import VERSION
from .catalog import CatalogEntry
from .thread_state import ThreadState

#: The message 0.163.0 puts before the next user message after an interrupted turn.
TURN_ABORTED = (
    "<turn_aborted>\nThe user interrupted the previous turn on purpose. Any running unified "
    "exec processes may still be running in the background. If any tools/commands were "
    "aborted, they may have partially executed.\n</turn_aborted>"
)

EXEC_COMMAND_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "exec_command",
    "description": (
        "Run a shell command (bash -lc) in the thread's working directory and return its "
        "exit code and output. The user may be asked to approve it first."
    ),
    "strict": False,
    "parameters": {
        "type": "object",
        "properties": {
            "cmd": {"type": "string", "description": "The command line to run."},
            "workdir": {
                "type": "string",
                "description": "Directory to run it in, relative to the working directory.",
            },
            "yield_time_ms": {"type": "number", "description": "Accepted, not used."},
            "max_output_tokens": {"type": "number", "description": "Accepted, not used."},
        },
        "required": ["cmd"],
        "additionalProperties": False,
    },
}


def message(role: str, text: str) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": [{"type": "input_text", "text": text}]}


def _timezone() -> str:
    """The IANA name (``Etc/UTC``), as the binary reports it: ``TZ``, else /etc/localtime."""
    named = os.environ.get("TZ", "").lstrip(":")
    if named:
        return named
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return time.tzname[0] if time.tzname else "UTC"
    _, marker, zone = target.partition("zoneinfo/")
    return zone if marker else (time.tzname[0] if time.tzname else "UTC")


def environment_context(cwd: str) -> dict[str, Any]:
    """The user message that tells the model where it runs (recorded once per thread)."""
    zone = _timezone()
    return message(
        "user",
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        "  <shell>bash</shell>\n"
        f"  <current_date>{time.strftime('%Y-%m-%d')}</current_date>\n"
        f"  <timezone>{zone}</timezone>\n"
        "</environment_context>",
    )


def _content(part: i.UserInput, cwd: str) -> dict[str, Any]:
    value = part.root
    if isinstance(value, i.TextUserInput):
        return {"type": "input_text", "text": value.text}
    if isinstance(value, i.ImageUserInput) and value.url:
        return {"type": "input_image", "image_url": value.url}
    if isinstance(value, i.LocalImageUserInput):
        path = Path(cwd, value.path)
        try:
            data = base64.b64encode(path.read_bytes()).decode()
        except OSError as exc:
            raise InvalidRequest(f"cannot read image {path}: {exc.strerror}") from exc
        kind = mimetypes.guess_type(path.name)[0] or "image/png"
        return {"type": "input_image", "image_url": f"data:{kind};base64,{data}"}
    raise InvalidRequest(
        f"Invalid request: the reference server does not take `{value.type}` input "
        "(text, image and localImage only)"
    )


def user_message(parts: list[i.UserInput], cwd: str) -> dict[str, Any]:
    """The input as the model sees it; ``InvalidRequest`` for a kind it cannot send."""
    return {
        "type": "message",
        "role": "user",
        "content": [_content(part, cwd) for part in parts],
    }


def body(state: ThreadState, entry: CatalogEntry) -> dict[str, Any]:
    prefix = [message("developer", state.base_instructions or entry.base_instructions)]
    if state.developer_instructions:
        prefix.append(message("developer", state.developer_instructions))
    effort = state.effort or entry.default_effort
    return {
        "model": state.model,
        "input": [*prefix, *state.history],
        "tools": [EXEC_COMMAND_TOOL],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "reasoning": {"effort": effort},
        "store": False,
        "stream": True,
        "include": [],
        "prompt_cache_key": state.id,
    }


def headers(state: ThreadState, turn_id: str, originator: str, agent: str) -> dict[str, str]:
    window = f"{state.id}:0"
    metadata = {
        "session_id": state.id,
        "thread_id": state.id,
        "turn_id": turn_id,
        "window_id": window,
        "request_kind": "turn",
        "root_turn_id": turn_id,
        "model": state.model,
    }
    return {
        "originator": originator,
        "User-Agent": agent,
        "version": VERSION,
        "session-id": state.id,
        "thread-id": state.id,
        "x-client-request-id": state.id,
        "x-codex-window-id": window,
        "x-codex-turn-metadata": json.dumps(metadata, separators=(",", ":")),
    }
