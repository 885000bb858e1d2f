"""What the mock model says when nobody scripted an answer.

So that a person can use a real client against the mock with no scripting:

* a message starting with ``run:`` (``run: ls -la``) asks for ``exec_command``
  with the rest of the line, which makes the app-server ask the client for
  approval; once the tool output comes back, the model answers with a message
  that quotes it;
* any other message gets a deterministic, streamed echo:
  ``Mock answer to: <the message>``.
"""

from __future__ import annotations

from typing import Any

from .. import json_limits
from .decode import last_user_text, tool_calls_by_id, tool_outputs_since_user
from .forms import ScriptedResponse, ToolCall

RUN_PREFIX = "run:"
#: Call ids the default responder hands out start with this, so it recognises its own.
CALL_PREFIX = "mock-run-"
EMPTY_ANSWER = "Hello from the mock model."


def default_answer(items: list[Any], call_number: int) -> ScriptedResponse:
    """The answer to a conversation (``items``: the whole input, history included)."""
    outputs = [
        (cid, out) for cid, out in tool_outputs_since_user(items) if cid.startswith(CALL_PREFIX)
    ]
    if outputs:
        calls = tool_calls_by_id(items)
        call_id, output = outputs[-1]
        command = _command_of(calls.get(call_id))
        return ScriptedResponse(text=quote_output(command, output), stream=True)
    text = last_user_text(items).strip()
    if text.lower().startswith(RUN_PREFIX):
        command = text[len(RUN_PREFIX) :].strip()
        if command:
            return ScriptedResponse(
                tool_call=ToolCall(
                    name="exec_command",
                    arguments={"cmd": command, "yield_time_ms": 1000},
                    call_id=f"{CALL_PREFIX}{call_number}",
                )
            )
    if not text:
        return ScriptedResponse(text=EMPTY_ANSWER, stream=True)
    return ScriptedResponse(text=f"Mock answer to: {text}", stream=True)


def quote_output(command: str, output: str) -> str:
    """The message that reports a tool's output back to the person, output verbatim."""
    fence = "```"
    while fence in output:
        fence += "`"
    return f"Ran `{command}`. Output:\n{fence}\n{output.rstrip()}\n{fence}"


def _command_of(call: dict[str, Any] | None) -> str:
    if call is None:
        return "?"
    try:
        arguments = json_limits.loads(call.get("arguments") or "{}")
    except (TypeError, ValueError):
        return "?"
    command = arguments.get("cmd") if isinstance(arguments, dict) else None
    return command if isinstance(command, str) else "?"
