"""Reading model requests (bodies, conversations), the queue and the default responder."""

from __future__ import annotations

import json
from typing import Any

import pytest
from backports import zstd

from mock_backend.model.decode import (
    BadModelRequest,
    decode_body,
    last_user_text,
    tool_outputs_since_user,
)
from mock_backend.model.default_responder import CALL_PREFIX, default_answer
from mock_backend.model.forms import ScriptedResponse
from mock_backend.model.queue import ResponseQueue


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


ENV = user("<environment_context>\n  <cwd>/tmp</cwd>\n</environment_context>")


def test_bodies_plain_and_zstd() -> None:
    body = {"model": "m", "input": [user("hi")]}
    assert decode_body(json.dumps(body).encode()) == body
    assert decode_body(zstd.compress(json.dumps(body).encode())) == body


@pytest.mark.parametrize(
    ("raw", "why", "status"),
    [
        (b"", "empty request body", 400),
        (b"\xff\xfe", "neither JSON nor zstd", 400),
        (b"{nope", "neither JSON nor zstd", 400),
        (b"[1, 2]", "must be a JSON object", 400),
        (b'{"input": {}}', "input must be a list", 400),
        (b'{"model": 5}', "model must be a string", 400),
        (b"\x28\xb5\x2f\xfd-not-really", "does not decode", 400),
        (zstd.compress(b" " * (17 * 1024 * 1024)), "larger than", 413),
    ],
)
def test_bad_bodies_say_why(raw: bytes, why: str, status: int) -> None:
    with pytest.raises(BadModelRequest) as info:
        decode_body(raw)
    assert why in str(info.value)
    assert info.value.status == status


def test_last_user_text_skips_codex_wrappers() -> None:
    items = [{"type": "message", "role": "developer", "content": "p"}, ENV, user("deploy it")]
    assert last_user_text(items) == "deploy it"
    assert last_user_text([ENV]) == ""
    assert last_user_text([user("<b>bold</b> words")]) == "<b>bold</b> words"


def test_tool_outputs_after_the_last_user_message() -> None:
    items = [
        user("first"),
        {"type": "function_call_output", "call_id": "old", "output": "stale"},
        user("second"),
        {"type": "function_call", "call_id": "c1", "name": "exec_command", "arguments": "{}"},
        {
            "type": "function_call_output",
            "call_id": "c1",
            "output": [{"type": "input_text", "text": "ok"}],
        },
    ]
    assert tool_outputs_since_user(items) == [("c1", "ok")]


def test_queue_is_fifo_with_when_and_repeat() -> None:
    queue = ResponseQueue()
    queue.append(ScriptedResponse(text="for deploy", when={"input_contains": "deploy"}))  # type: ignore[arg-type]
    queue.append(ScriptedResponse(text="twice", repeat=2))
    queue.append(ScriptedResponse(text="last"))
    taken = [queue.take(t) for t in ("hello", "please deploy", "hi", "hi")]
    assert [s.text if s else None for s in taken] == ["twice", "for deploy", "twice", "last"]
    assert queue.take("anything") is None
    queue.append(ScriptedResponse(text="x"))
    assert queue.clear() == 1
    assert len(queue) == 0


def test_default_responder_echoes_and_runs_commands() -> None:
    echo = default_answer([ENV, user("hello there")], 1)
    assert (echo.text, echo.stream) == ("Mock answer to: hello there", True)
    run = default_answer([user("run: echo hi")], 7)
    assert run.tool_call is not None
    assert run.tool_call.name == "exec_command"
    assert run.tool_call.arguments == {"cmd": "echo hi", "yield_time_ms": 1000}
    assert run.tool_call.call_id == f"{CALL_PREFIX}7"
    call = {
        "type": "function_call",
        "call_id": f"{CALL_PREFIX}7",
        "name": "exec_command",
        "arguments": json.dumps({"cmd": "echo hi"}),
    }
    output = {"type": "function_call_output", "call_id": f"{CALL_PREFIX}7", "output": "hi\n"}
    quoted = default_answer([user("run: echo hi"), call, output], 8)
    assert quoted.text == "Ran `echo hi`. Output:\n```\nhi\n```"
    assert default_answer([user("run:")], 9).text == "Mock answer to: run:"
    assert default_answer([], 1).text == "Hello from the mock model."
