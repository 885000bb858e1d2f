"""What only the reference server can show about its conversations: retries it can be
told to shorten (``-c model_providers.openai.*``, which 0.163.0 refuses to start with),
its command timeout, the kill of a command whose turn is interrupted, its deviations
(``on-request`` asks; no login fails the turn at once), the built-in catalog, and an
API-key login sent to ``openai_base_url``. Every message is still judged by the real
vendored 0.163.0 bundle through the kit's session (the ``chat`` fixture)."""

from __future__ import annotations

import base64
import json
import os

import pytest

from tests.support.conversation import StartChat, agent_texts, model_input

RETRIES = (
    "-c",
    "model_providers.openai.request_max_retries=1",
    "-c",
    "model_providers.openai.stream_max_retries=1",
)


def retried(turn_errors: list[dict[str, object]]) -> list[object]:
    return [n["error"] for n in turn_errors if n["willRetry"]]


def test_server_errors_are_retried_then_fail_the_turn(chat: StartChat) -> None:
    session = chat("reference", *RETRIES)
    thread_id = session.thread()
    session.model.respond({"status": 500, "repeat": 10})
    turn = session.turn(thread_id, "hello")
    demand = "We\u2019re currently experiencing high demand, which may cause temporary errors."
    assert retried(turn.notifications("error")) == [
        {
            "message": "Reconnecting... 1/1",
            "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
            "additionalDetails": demand,
            "misalignment": None,
        }
    ]
    assert turn.result["error"]["message"] == demand
    assert turn.result["error"]["codexErrorInfo"] == "internalServerError"
    assert len(session.model.requests()) == 4  # 2 attempts of 2 tries each


def test_a_404_is_retried_per_attempt_only(chat: StartChat) -> None:
    session = chat("reference", *RETRIES)
    thread_id = session.thread()
    session.model.respond({"status": 404, "repeat": 10})
    turn = session.turn(thread_id, "hello")
    words = (
        "unexpected status 404 Not Found: scripted 404, "
        "url: https://chatgpt.com/backend-api/codex/responses"
    )
    [retry] = retried(turn.notifications("error"))
    assert retry == {
        "message": "Reconnecting... 1/1",
        "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": 404}},
        "additionalDetails": words,
        "misalignment": None,
    }
    assert turn.result["error"]["message"] == words
    assert turn.result["error"]["codexErrorInfo"] == {
        "httpConnectionFailed": {"httpStatusCode": 404}
    }
    assert len(session.model.requests()) == 2


def test_a_stream_that_keeps_breaking_fails_the_turn(chat: StartChat) -> None:
    session = chat("reference", *RETRIES, mode="override")
    thread_id = session.thread()
    session.model.respond(
        {"text": "partial answer words", "stream": True, "cut_after": 3, "repeat": 5}
    )
    turn = session.turn(thread_id, "hello")
    assert len(retried(turn.notifications("error"))) == 1
    assert turn.result["status"] == "failed"
    assert turn.result["error"]["message"] == (
        "stream disconnected before completion: Transport error: network error: error "
        "decoding response body"
    )
    assert turn.result["error"]["codexErrorInfo"] == "other"
    assert turn.completed_items("agentMessage") == []


def test_a_rate_limited_stream_waits_as_asked(chat: StartChat) -> None:
    session = chat("reference")
    thread_id = session.thread()
    message = "Rate limit reached. Please try again in 0.05s."
    session.model.respond(
        {"failed": {"code": "rate_limit_exceeded", "message": message}}, {"text": "later"}
    )
    turn = session.turn(thread_id, "hello")
    [retry] = retried(turn.notifications("error"))
    assert retry["additionalDetails"] == f"rate limit exceeded: {message}"  # type: ignore[index]
    assert agent_texts(turn) == ["later"]


def test_a_command_past_its_timeout_is_killed(chat: StartChat) -> None:
    session = chat("reference", "-c", "reference_server.exec_timeout_seconds=0.5")
    thread_id = session.thread(approvalPolicy="never")
    command = {"cmd": "echo started; sleep 30; echo finished"}
    session.model.respond(
        {"tool_call": {"name": "exec_command", "arguments": command}}, {"text": "ok"}
    )
    turn = session.turn(thread_id, "wait")
    [item] = turn.completed_items("commandExecution")
    assert (item["status"], item["exitCode"]) == ("failed", 124)
    assert item["aggregatedOutput"].endswith("started\n\ncommand timed out after 0.5 seconds\n")
    assert agent_texts(turn) == ["ok"]


def test_an_interrupted_turn_kills_its_command(chat: StartChat) -> None:
    session = chat("reference")
    thread_id = session.thread(approvalPolicy="never")
    command = {"cmd": "echo $$; exec sleep 60"}
    session.model.respond({"tool_call": {"name": "exec_command", "arguments": command}})
    wire = session.server.session
    start = {"threadId": thread_id, "input": [{"type": "text", "text": "sleep"}]}
    turn_id = wire.response(wire.request("turn/start", start), 20)["result"]["turn"]["id"]
    printed = session.server.notification("item/commandExecution/outputDelta")["params"]
    pid = int(printed["delta"].split()[-1])  # the shell's pid, which became sleep's
    session.call("turn/interrupt", {"threadId": thread_id, "turnId": turn_id})
    done = session.server.notification("turn/completed")["params"]["turn"]
    assert done["status"] == "interrupted"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_on_request_asks_before_every_command(chat: StartChat) -> None:
    """0.163.0 runs a harmless command unasked inside its sandbox; with no sandbox, the
    reference server asks (docs/DEVIATIONS.md)."""
    session = chat("reference")
    thread_id = session.thread(approvalPolicy="on-request")
    session.model.respond(
        {"tool_call": {"name": "exec_command", "arguments": {"cmd": "echo hi"}}}, {"text": "ok"}
    )
    turn = session.turn(thread_id, "run", decision="decline")
    assert [m["method"] for m in turn.messages if "requestApproval" in str(m.get("method"))] == [
        "item/commandExecution/requestApproval"
    ]
    assert [c["status"] for c in turn.completed_items("commandExecution")] == ["declined"]


def test_a_turn_with_nobody_signed_in_fails_at_once(chat: StartChat) -> None:
    session = chat("reference", signed_in=False)
    thread_id = session.thread()
    turn = session.turn(thread_id, "hello")
    assert turn.result["status"] == "failed"
    assert turn.result["error"]["codexErrorInfo"] == "unauthorized"
    assert session.model.requests(kind=None) == []


def test_the_built_in_catalog_when_the_backend_has_none(chat: StartChat) -> None:
    session_tenant = chat("reference", signed_in=True)
    session_tenant.tenant.control.fault("codex_models", "status", status=404, count=5)
    # a fresh server: the catalog is fetched once per login
    session = chat("reference", home=session_tenant.home)
    listed = session.call("model/list", {})["result"]["data"]
    assert [m["id"] for m in listed] == ["gpt-6.1-sol", "gpt-6-sol", "gpt-6-luna", "gpt-5.5"]
    assert [m["isDefault"] for m in listed] == [True, False, False, False]
    started = session.call("thread/start", {"cwd": str(session.home)})["result"]
    assert started["model"] == "gpt-6.1-sol"


def test_an_api_key_login_uses_openai_base_url(chat: StartChat, tmp_path: object) -> None:
    probe = chat("reference", signed_in=False)
    home = probe.home
    (home / "auth.json").write_text(
        json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test"})
    )
    base = f"{probe.tenant.ready.issuer}/backend-api/codex"
    session = chat("reference", "-c", f"openai_base_url={base}", home=home)
    assert session.call("model/list", {})["result"]["data"][0]["id"] == "mock-model"
    thread_id = session.thread()
    session.model.respond({"text": "keyed"})
    assert agent_texts(session.turn(thread_id, "hello")) == ["keyed"]
    [request] = session.model.requests()
    assert request["auth"]["bearer"] == "not_issued"  # the key, not a token the mock minted
    assert request["auth"]["header_account_id"] is None


def test_a_local_image_is_read_when_the_turn_is_asked_for(chat: StartChat) -> None:
    """Its bytes go to the model as a data URL, read once when ``turn/start`` is answered:
    the file may be gone by the time the turn runs."""
    session = chat("reference")
    thread_id = session.thread()
    picture = session.home / "dot.png"
    picture.write_bytes(b"\x89PNG not really")
    session.model.respond({"text": "seen"})
    parts = [{"type": "text", "text": "look"}, {"type": "localImage", "path": "dot.png"}]
    reply = session.call("turn/start", {"threadId": thread_id, "input": parts})
    assert "result" in reply, reply
    picture.unlink()
    done = session.server.notification("turn/completed")["params"]["turn"]
    assert done["status"] == "completed"
    [asked] = [
        item["content"]
        for item in model_input(session.model.requests()[-1])
        if item.get("role") == "user" and item["content"][0].get("text") == "look"
    ]
    data = base64.b64encode(b"\x89PNG not really").decode()
    assert asked[1] == {"type": "input_image", "image_url": f"data:image/png;base64,{data}"}
