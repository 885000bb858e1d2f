"""Turns of an unmodified codex 0.163.0 against the mock's scripted model.

The binary is signed in with tokens the tenant minted and attached through the
proxy (or the override mode), with no codex config about the model. Each turn
goes straight through: no websocket fallback wait, no reconnects (``retries``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support import http
from tests.support.app_server import AppServer
from tests.support.conversation import Turn, run_turn, sign_in, start_thread

from .conftest import Launch

pytestmark = pytest.mark.real_binary
ECHO = "echo hi-from-tool"


@pytest.fixture
def thread(
    launch: Launch, codex_163: Path, codex_home: Path, mock_tenant: MockTenant
) -> tuple[AppServer, str]:
    sign_in(codex_home, mock_tenant)
    server = launch(codex_163)
    return server, start_thread(server, codex_home)["thread"]["id"]


def agent_texts(turn: Turn) -> list[str]:
    return [item["text"] for item in turn.completed_items("agentMessage")]


def tool_outputs(request: dict[str, Any]) -> list[str]:
    items = request.get("full_input") or request["input"]
    return [str(i["output"]) for i in items if i.get("type") == "function_call_output"]


@pytest.mark.parametrize("mode", ["proxy", "override"])
def test_text_turn_in_both_attach_modes(
    launch: Launch,
    codex_163: Path,
    codex_home: Path,
    mock_tenant: MockTenant,
    mock_model: MockModel,
    mode: str,
) -> None:
    sign_in(codex_home, mock_tenant)
    server = launch(codex_163, mode)
    thread_id = start_thread(server, codex_home)["thread"]["id"]
    mock_model.respond({"text": "Hello from the mock!"})
    turn = run_turn(server, thread_id, "hello")
    assert turn.result["status"] == "completed"
    assert agent_texts(turn) == ["Hello from the mock!"]
    assert turn.retries == []
    [request] = mock_model.requests()
    assert request["transport"] == "websocket"
    assert request["auth"]["bearer"] == "live"
    assert request["auth"]["account_matches"] is True
    upgrade = mock_tenant.control.journal(route="codex_responses_ws")[-1]
    assert upgrade["status"] == 101
    assert upgrade["via"] == ("proxy:chatgpt.com" if mode == "proxy" else "direct")


def test_streamed_answer_with_reasoning_and_token_usage(
    thread: tuple[AppServer, str], mock_model: MockModel
) -> None:
    server, thread_id = thread
    usage = {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 40},
        "output_tokens": 7,
        "output_tokens_details": {"reasoning_tokens": 2},
    }
    mock_model.respond(
        {"reasoning": "Let me think", "text": "Streamed words here", "stream": True, "usage": usage}
    )
    turn = run_turn(server, thread_id, "think, then answer")
    deltas = turn.notifications("item/agentMessage/delta")
    assert "".join(d["delta"] for d in deltas) == "Streamed words here"
    assert len(deltas) == 3
    summary = turn.notifications("item/reasoning/summaryTextDelta")
    assert "".join(d["delta"] for d in summary) == "Let me think"
    assert turn.completed_items("reasoning")[0]["summary"] == ["Let me think"]
    [tokens] = turn.notifications("thread/tokenUsage/updated")
    assert tokens["tokenUsage"]["last"] == {
        "totalTokens": 107,
        "inputTokens": 100,
        "cachedInputTokens": 40,
        "cacheWriteInputTokens": 0,
        "outputTokens": 7,
        "reasoningOutputTokens": 2,
    }
    assert turn.retries == []


@pytest.mark.parametrize("websocket", ["accept", "426"])
def test_rate_limits_reach_the_client(
    launch: Launch,
    codex_163: Path,
    codex_home: Path,
    mock_tenant: MockTenant,
    mock_model: MockModel,
    websocket: str,
) -> None:
    """Headers over HTTP (after a 426 the binary stays on HTTP), an event over the websocket.

    The websocket setting comes before ``thread/start``: the binary opens its prewarm
    websocket right after it, and an upgrade already accepted would carry the turn.
    """
    mock_model.settings(websocket=websocket)
    sign_in(codex_home, mock_tenant)
    server = launch(codex_163)
    thread_id = start_thread(server, codex_home)["thread"]["id"]
    window = {"used_percent": 12.5, "window_minutes": 300, "reset_at": 1_900_000_000}
    mock_model.respond({"text": "ok", "rate_limits": {"primary": window}})
    turn = run_turn(server, thread_id, "how much is left?")
    limits = [n["rateLimits"] for n in turn.notifications("account/rateLimits/updated")]
    assert {"usedPercent": 13, "windowDurationMins": 300, "resetsAt": 1_900_000_000} in [
        lim["primary"] for lim in limits
    ]
    assert turn.retries == []
    transport = mock_model.requests()[-1]["transport"]
    assert transport == ("websocket" if websocket == "accept" else "http")


@pytest.mark.parametrize("decision", ["accept", "decline", "cancel"])
def test_exec_command_approval_round_trip(
    thread: tuple[AppServer, str], mock_model: MockModel, decision: str
) -> None:
    server, thread_id = thread
    mock_model.respond(
        {"tool_call": {"name": "exec_command", "arguments": {"cmd": ECHO, "yield_time_ms": 1000}}},
        {"text": "All done."},
    )
    turn = run_turn(server, thread_id, "run the tool", decision=decision)
    [approval] = [
        m for m in turn.messages if m.get("method") == "item/commandExecution/requestApproval"
    ]
    assert ECHO in approval["params"]["command"]
    [command] = turn.completed_items("commandExecution")
    requests = mock_model.requests()
    if decision == "accept":
        assert command["status"] == "completed"
        assert "hi-from-tool" in command["aggregatedOutput"]
        assert turn.result["status"] == "completed"
        assert agent_texts(turn) == ["All done."]
        assert len(requests) == 2
        assert any("hi-from-tool" in out for out in tool_outputs(requests[1]))
    elif decision == "decline":
        assert command["status"] == "declined"
        assert turn.result["status"] == "completed"
        assert len(requests) == 2
        assert any("rejected by user" in out for out in tool_outputs(requests[1]))
    else:
        assert command["status"] == "declined"
        assert turn.result["status"] == "interrupted"
        assert len(requests) == 1


def test_401_then_success_after_the_refresh_the_mock_serves(
    launch: Launch,
    codex_163: Path,
    codex_home: Path,
    mock_tenant: MockTenant,
    mock_model: MockModel,
) -> None:
    """A revoked access token is answered 401 (``auth: enforce``): codex refreshes it at the
    mock and retries with the new one, and the client sees the turn complete.

    The settings come before ``thread/start``: a prewarm websocket the binary opened first
    would carry the turn, and the 401 would arrive as a websocket error frame instead.
    """
    mock_model.settings(websocket="426", auth="enforce")
    minted = sign_in(codex_home, mock_tenant)
    server = launch(codex_163)
    thread_id = start_thread(server, codex_home)["thread"]["id"]
    revoke = mock_tenant.ready.issuer + "/oauth/revoke"
    assert http.post(revoke, json_body={"token": minted["access_token"]}).status == 200
    mock_model.respond({"text": "refreshed"})
    turn = run_turn(server, thread_id, "hello")
    assert turn.result["status"] == "completed"
    assert agent_texts(turn) == ["refreshed"]
    seen = mock_model.requests(kind=None)
    assert {(r["status"], r["auth"]["bearer"]) for r in seen[:-1]} == {(401, "revoked")}
    assert (seen[-1]["status"], seen[-1]["auth"]["bearer"]) == (200, "live")
    assert seen[-1]["auth"]["token_id"] != seen[0]["auth"]["token_id"]
    grants = [e["body"]["grant_type"] for e in mock_tenant.control.journal(route="oauth_token")]
    assert grants == ["refresh_token"]
    flags = [e["flags"] for e in mock_tenant.control.journal(route="codex_responses")]
    assert flags[0] == ["token_revoked"]
    assert flags[-1] == []


@pytest.mark.parametrize(
    ("form", "info", "message"),
    [
        (
            {
                "status": 429,
                "body": {
                    "error": {
                        "type": "usage_limit_reached",
                        "message": "The usage limit has been reached",
                        "plan_type": "pro",
                        "resets_at": 1_900_000_000,
                    }
                },
            },
            "usageLimitExceeded",
            "You\u2019ve hit your usage limit.",
        ),
        (
            {"failed": {"code": "context_length_exceeded", "message": "too long"}},
            "contextWindowExceeded",
            "Codex ran out of room in the model's context window.",
        ),
    ],
)
def test_failed_turns(
    thread: tuple[AppServer, str],
    mock_model: MockModel,
    form: dict[str, Any],
    info: str,
    message: str,
) -> None:
    server, thread_id = thread
    mock_model.respond(form)
    turn = run_turn(server, thread_id, "hello")
    assert turn.result["status"] == "failed"
    assert turn.result["error"]["codexErrorInfo"] == info
    assert turn.result["error"]["message"].startswith(message)
    assert len(mock_model.requests()) == 1


def test_model_list_and_thread_start_use_the_mock_catalog(
    launch: Launch, codex_163: Path, codex_home: Path, mock_tenant: MockTenant
) -> None:
    sign_in(codex_home, mock_tenant)
    server = launch(codex_163)
    listed = server.call("model/list", {})["result"]["data"]
    assert [m["id"] for m in listed] == ["mock-model", "mock-model-fast", "mock-reasoner"]
    assert [m["isDefault"] for m in listed] == [True, False, False]
    started = start_thread(server, codex_home)
    assert started["model"] == "mock-model"


def test_two_turns_the_second_request_carries_the_first_answer(
    thread: tuple[AppServer, str], mock_model: MockModel
) -> None:
    server, thread_id = thread
    mock_model.respond({"text": "The first answer."}, {"text": "The second answer."})
    first = run_turn(server, thread_id, "first question")
    second = run_turn(server, thread_id, "second question")
    assert agent_texts(first) + agent_texts(second) == ["The first answer.", "The second answer."]
    later = mock_model.requests()[-1]
    conversation = later.get("full_input") or later["input"]
    texts = [
        part.get("text")
        for item in conversation
        if item.get("type") == "message"
        for part in item.get("content", [])
        if isinstance(part, dict)
    ]
    assert texts.index("The first answer.") < texts.index("second question")
    assert first.retries == second.retries == []


def test_default_responder_without_any_scripting(thread: tuple[AppServer, str]) -> None:
    server, thread_id = thread
    echo = run_turn(server, thread_id, "hello mock")
    assert agent_texts(echo) == ["Mock answer to: hello mock"]
    run = run_turn(server, thread_id, f"run: {ECHO}")
    [command] = run.completed_items("commandExecution")
    assert command["status"] == "completed"
    [answer] = agent_texts(run)
    assert answer.startswith(f"Ran `{ECHO}`. Output:\n```")
    assert "hi-from-tool" in answer


def test_apply_patch_as_a_custom_tool_call(
    thread: tuple[AppServer, str], mock_model: MockModel, codex_home: Path
) -> None:
    server, thread_id = thread
    patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello from apply_patch\n*** End Patch\n"
    mock_model.respond({"tool_call": {"name": "apply_patch", "input": patch}}, {"text": "patched"})
    turn = run_turn(server, thread_id, "write the file")
    assert [m["method"] for m in turn.messages if "requestApproval" in m.get("method", "")] == [
        "item/fileChange/requestApproval"
    ]
    [change] = turn.completed_items("fileChange")
    assert change["status"] == "completed"
    assert (codex_home / "hello.txt").read_text() == "hello from apply_patch\n"
    followup = mock_model.requests()[-1]
    kinds = [i.get("type") for i in followup.get("full_input") or followup["input"]]
    assert "custom_tool_call_output" in kinds
    assert agent_texts(turn) == ["patched"]
