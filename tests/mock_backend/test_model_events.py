"""Events built for scripted answers, in the shapes codex 0.163.0 accepts."""

from __future__ import annotations

import json
from typing import Any

from mock_backend.model.events import (
    Ids,
    answer_events,
    error_frame,
    prewarm_events,
    split_deltas,
    sse_frame,
    status_body,
)
from mock_backend.model.forms import ScriptedResponse


def build(form: dict[str, Any], websocket: bool = False) -> tuple[list[dict[str, Any]], list[Any]]:
    return answer_events(ScriptedResponse.model_validate(form), "resp-x", Ids(), websocket)


def test_split_deltas_by_word_and_by_count() -> None:
    assert split_deltas("Hello  big world", None) == ["Hello  ", "big ", "world"]
    assert split_deltas("abcdefg", 3) == ["abc", "de", "fg"]
    assert split_deltas("ab", 5) == ["a", "b"]
    assert split_deltas("", None) == []
    assert "".join(split_deltas("x y z " * 40, 20)) == "x y z " * 40


def test_plain_text_is_one_done_item_then_completed() -> None:
    events, output = build({"text": "Hello"})
    assert [e["type"] for e in events] == [
        "response.created",
        "response.output_item.done",
        "response.completed",
    ]
    item = events[1]["item"]
    assert (item["type"], item["role"], item["content"][0]["text"]) == (
        "message",
        "assistant",
        "Hello",
    )
    assert events[-1]["response"]["id"] == "resp-x"
    assert "usage" not in events[-1]["response"]
    assert output == [item]


def test_streamed_text_adds_the_item_then_deltas_with_its_id() -> None:
    events, _ = build({"text": "one two three", "stream": True})
    kinds = [e["type"] for e in events]
    assert kinds == [
        "response.created",
        "response.output_item.added",
        *["response.output_text.delta"] * 3,
        "response.output_item.done",
        "response.completed",
    ]
    item_id = events[1]["item"]["id"]
    assert events[1]["item"]["content"] == []
    assert {e["item_id"] for e in events[2:5]} == {item_id}
    assert "".join(e["delta"] for e in events[2:5]) == "one two three"


def test_streamed_reasoning_has_a_summary_part_and_summary_deltas() -> None:
    events, output = build({"reasoning": "think hard", "stream": True})
    kinds = [e["type"] for e in events]
    assert kinds[1:5] == [
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
    ]
    assert output[0]["summary"] == [{"type": "summary_text", "text": "think hard"}]


def test_tool_calls_function_and_custom() -> None:
    _, output = build(
        {
            "items": [
                {"tool_call": {"name": "exec_command", "arguments": {"cmd": "ls"}}},
                {"tool_call": {"name": "apply_patch", "input": "*** Begin Patch", "call_id": "c9"}},
            ]
        }
    )
    function, custom = output
    assert function["type"] == "function_call"
    assert json.loads(function["arguments"]) == {"cmd": "ls"}
    assert function["call_id"].startswith("call-")
    assert (custom["type"], custom["name"], custom["input"], custom["call_id"]) == (
        "custom_tool_call",
        "apply_patch",
        "*** Begin Patch",
        "c9",
    )


def test_usage_fills_the_details_and_the_total() -> None:
    events, _ = build({"text": "x", "usage": {"input_tokens": 100, "output_tokens": 7}})
    assert events[-1]["response"]["usage"] == {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 7,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 107,
    }


def test_rate_limits_are_headers_over_http_and_an_event_over_ws() -> None:
    form = {"text": "x", "rate_limits": {"primary": {"used_percent": 12.5, "window_minutes": 300}}}
    script = ScriptedResponse.model_validate(form)
    assert script.rate_limits is not None
    assert script.rate_limits.headers() == {
        "x-codex-primary-used-percent": "12.5",
        "x-codex-primary-window-minutes": "300",
    }
    http_events, _ = build(form)
    ws_events, _ = build(form, websocket=True)
    assert "codex.rate_limits" not in [e["type"] for e in http_events]
    assert ws_events[0] == {
        "type": "codex.rate_limits",
        "rate_limits": {
            "primary": {"used_percent": 12.5, "window_minutes": 300, "reset_at": None},
            "secondary": None,
        },
    }


def test_failed_stream_ends_in_response_failed() -> None:
    events, output = build({"failed": {"code": "context_length_exceeded", "message": "full"}})
    assert events[-1] == {
        "type": "response.failed",
        "response": {
            "id": "resp-x",
            "status": "failed",
            "error": {"code": "context_length_exceeded", "message": "full"},
        },
    }
    assert output == []


def test_status_bodies_and_the_websocket_error_frame() -> None:
    default = ScriptedResponse.model_validate({"status": 401})
    assert status_body(default)["error"]["message"] == "scripted 401"
    custom = ScriptedResponse.model_validate(
        {
            "status": 429,
            "body": {"error": {"type": "usage_limit_reached"}, "status": 1},
            "rate_limits": {"primary": {"used_percent": 100}},
        }
    )
    frame = error_frame(custom)
    assert (frame["type"], frame["status"], frame["error"]) == (
        "error",
        429,
        {"type": "usage_limit_reached"},
    )
    assert frame["headers"] == {"x-codex-primary-used-percent": "100"}


def test_prewarm_and_sse_encoding() -> None:
    created, completed = prewarm_events("resp-w")
    assert completed["response"]["id"] == "resp-w"
    frame = sse_frame(created).decode()
    assert frame.startswith("event: response.created\ndata: {")
    assert frame.endswith("\n\n")
    assert json.loads(frame.split("data: ", 1)[1]) == created
