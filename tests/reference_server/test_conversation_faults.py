"""Bad input and failing models, side by side with the real 0.163.0 binary: the same
error texts, the same failed turns, never a stuck turn.

The texts asserted here were read off the real binary first; each test runs on both.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_backend.tenant_handle import MockTenant
from tests.support import http
from tests.support.conversation import StartChat, Turn, agent_texts

pytestmark = pytest.mark.real_binary
SERVERS = ["real-0.163.0", "reference"]
UNKNOWN = "0197a000-0000-7000-8000-000000000000"
BAD_CHAR = (
    "invalid character: expected an optional prefix of `urn:uuid:` followed by "
    "[0-9a-fA-F-], found `n` at 1"
)


def text(words: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": words}]


def error_of(reply: dict[str, Any]) -> tuple[int, str]:
    error = reply["error"]
    return error["code"], error["message"]


@pytest.mark.parametrize("which", SERVERS)
def test_requests_the_binary_refuses(chat: StartChat, which: str) -> None:
    session = chat(which)
    refusals = {
        ("turn/start", UNKNOWN): f"thread not found: {UNKNOWN}",
        ("turn/start", "nope"): f"invalid thread id: {BAD_CHAR}",
        ("turn/interrupt", UNKNOWN): f"thread not found: {UNKNOWN}",
        ("thread/read", UNKNOWN): f"thread not loaded: {UNKNOWN}",
        ("thread/read", "nope"): f"invalid thread id: {BAD_CHAR}",
        ("thread/resume", UNKNOWN): f"no rollout found for thread id {UNKNOWN}",
        ("thread/resume", "nope"): f"invalid session id: {BAD_CHAR}",
    }
    for (method, thread_id), message in refusals.items():
        params: dict[str, Any] = {"threadId": thread_id}
        if method == "turn/start":
            params["input"] = text("x")
        if method == "turn/interrupt":
            params["turnId"] = "x"
        assert error_of(session.call(method, params)) == (-32600, message), method
    simple = UNKNOWN.replace("-", "")  # the simple form is a UUID too, shown hyphenated
    assert error_of(session.call("thread/read", {"threadId": simple}))[1] == (
        f"thread not loaded: {UNKNOWN}"
    )
    short = {"threadId": UNKNOWN[:-1]}
    assert error_of(session.call("thread/read", short))[1] == (
        "invalid thread id: invalid group length in group 4: expected 12, found 11"
    )
    bogus = {"threadId": UNKNOWN, "input": [{"type": "bogus"}]}
    assert error_of(session.call("turn/start", bogus))[1] == (
        "Invalid request: unknown variant `bogus`, expected one of `text`, `image`, "
        "`localImage`, `audio`, `localAudio`, `skill`, `mention`"
    )
    assert error_of(session.call("turn/start", {"threadId": UNKNOWN}))[1] == (
        "Invalid request: missing field `input`"
    )
    policy = {"approvalPolicy": "on-failure"}
    assert error_of(session.call("thread/start", policy))[1] == (
        "Invalid request: unknown variant `on-failure`, expected one of `untrusted`, "
        "`on-request`, `granular`, `never`"
    )
    sandbox = {"sandbox": "bogus"}
    assert error_of(session.call("thread/start", sandbox))[1] == (
        "Invalid request: unknown variant `bogus`, expected one of `read-only`, "
        "`workspace-write`, `danger-full-access`"
    )
    thread_id = session.thread()
    idle = session.call("turn/interrupt", {"threadId": thread_id, "turnId": "x"})
    assert error_of(idle) == (-32600, "no active turn to interrupt")


@pytest.mark.parametrize("which", SERVERS)
def test_an_answer_to_a_question_never_asked_changes_nothing(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.server.session.respond(77, result={"decision": "accept"})
    session.model.respond({"text": "still here"})
    assert agent_texts(session.turn(thread_id, "hello")) == ["still here"]


@pytest.mark.parametrize("which", SERVERS)
def test_a_second_turn_start_joins_the_running_turn(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.model.respond({"text": "a slow first answer", "delay_ms": 800}, {"text": "both"})
    wire = session.server.session
    one = wire.request("turn/start", {"threadId": thread_id, "input": text("one")})
    two = wire.request("turn/start", {"threadId": thread_id, "input": text("two")})
    first, second = wire.response(one, 20), wire.response(two, 20)
    assert second["result"]["turn"]["id"] == first["result"]["turn"]["id"]
    assert second["result"]["turn"]["status"] == "inProgress"
    done = session.server.notification("turn/completed", 30)["params"]["turn"]
    assert done["id"] == first["result"]["turn"]["id"]
    assert done["status"] == "completed"
    users = [
        m["params"]["item"]["content"][0]["text"]
        for m in wire.unconsumed()
        if m.get("method") == "item/completed" and m["params"]["item"]["type"] == "userMessage"
    ]
    assert users == ["one", "two"]
    last = session.model.requests()[-1]["input"]
    said = [i["content"][0].get("text") for i in last if i.get("type") == "message"]
    assert said.index("one") < said.index("two")


def failed(turn: Turn) -> dict[str, Any]:
    """The failed turn's error, checked to end as 0.163.0 ends one."""
    ends = [m.get("method") for m in turn.messages if "method" in m][-3:]
    assert ends == ["thread/status/changed", "error", "turn/completed"]
    assert turn.notifications("thread/status/changed")[-1]["status"] == {"type": "systemError"}
    [error] = [n for n in turn.notifications("error") if not n["willRetry"]]
    assert turn.result["status"] == "failed"
    assert (turn.result["items"], turn.result["itemsView"]) == ([], "notLoaded")
    assert turn.result["error"] == error["error"]
    result: dict[str, Any] = error["error"]
    return result


FAILURES: list[tuple[dict[str, Any], str, Any]] = [
    (
        {"status": 429},
        "exceeded retry limit, last status: 429 Too Many Requests",
        {"responseTooManyFailedAttempts": {"httpStatusCode": 429}},
    ),
    (
        {"status": 400, "body": {"error": {"message": "bad thing"}}},
        '{"error": {"message": "bad thing"}}',
        "other",
    ),
    (
        {"failed": {"code": "context_length_exceeded", "message": "too long"}},
        "Codex ran out of room in the model's context window. Start a new thread or clear "
        "earlier history before retrying.",
        "contextWindowExceeded",
    ),
    (
        {"failed": {"code": "insufficient_quota", "message": "q"}},
        "Quota exceeded. Check your plan and billing details.",
        "usageLimitExceeded",
    ),
    (
        {"failed": {"code": "usage_not_included", "message": "n"}},
        "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.",
        "usageLimitExceeded",
    ),
    (
        {
            "status": 429,
            "body": {
                "error": {
                    "type": "usage_limit_reached",
                    "message": "The usage limit has been reached",
                    "plan_type": "plus",
                    "resets_at": 1_900_000_000,
                }
            },
        },
        "You\u2019ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), "
        "visit https://chatgpt.com/settings/usage to purchase more credits or try again at ",
        "usageLimitExceeded",
    ),
]


@pytest.mark.parametrize("which", SERVERS)
@pytest.mark.parametrize(("form", "message", "info"), FAILURES, ids=lambda v: str(v)[:24])
def test_turns_that_fail_at_once(
    chat: StartChat, which: str, form: dict[str, Any], message: str, info: Any
) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.model.respond(form)
    turn = session.turn(thread_id, "hello")
    error = failed(turn)
    assert error["message"].startswith(message)
    assert error["codexErrorInfo"] == info
    assert len(session.model.requests()) == 1
    assert [n for n in turn.notifications("error") if n["willRetry"]] == []
    reported = bool(turn.notifications("account/rateLimits/updated"))
    assert reported == ("failed" in form or "usage_limit_reached" in str(form))
    if info == "contextWindowExceeded":
        [usage] = turn.notifications("thread/tokenUsage/updated")
        assert usage["tokenUsage"]["total"]["totalTokens"] == 121_600  # the whole window


@pytest.mark.parametrize("which", SERVERS)
def test_a_stream_cut_once_is_retried(chat: StartChat, which: str) -> None:
    session = chat(which, mode="override")
    thread_id = session.thread()
    session.model.respond(
        {"text": "partial answer words", "stream": True, "cut_after": 3}, {"text": "whole"}
    )
    turn = session.turn(thread_id, "hello")
    [retry] = [n for n in turn.notifications("error") if n["willRetry"]]
    assert retry["error"] == {
        "message": "Reconnecting... 1/5",
        "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
        "additionalDetails": "stream disconnected before completion: Transport error: network "
        "error: error decoding response body",
        "misalignment": None,
    }
    assert agent_texts(turn) == ["whole"]
    started = [n["item"]["id"] for n in turn.notifications("item/started")]
    assert len(started) == 3  # the user's, the cut answer (never completed), the whole one
    assert turn.result["status"] == "completed"


@pytest.mark.parametrize("which", SERVERS)
def test_interrupt_while_an_approval_waits(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread(approvalPolicy="untrusted")
    command = {"cmd": "echo never-runs", "yield_time_ms": 1000}
    session.model.respond({"tool_call": {"name": "exec_command", "arguments": command}})
    wire = session.server.session
    turn_id = wire.response(
        wire.request("turn/start", {"threadId": thread_id, "input": text("run")}), 20
    )["result"]["turn"]["id"]
    asked = session.server.server_request("item/commandExecution/requestApproval")
    interrupted = session.call("turn/interrupt", {"threadId": thread_id, "turnId": turn_id})
    assert interrupted["result"] == {}
    done = session.server.notification("turn/completed")["params"]["turn"]
    assert done["status"] == "interrupted"
    wire.respond(asked["id"], result={"decision": "accept"})  # too late: nothing runs
    session.model.respond({"text": "next"})
    after = session.turn(thread_id, "again")
    assert agent_texts(after) == ["next"]
    assert "never-runs" not in str(after.completed_items("commandExecution"))


@pytest.mark.parametrize("which", SERVERS)
def test_a_revoked_token_is_refreshed_and_the_turn_goes_on(chat: StartChat, which: str) -> None:
    """401 from the model endpoint: the login is read again, then its tokens refreshed at
    the issuer, and the request sent again with the new token; the client sees nothing
    but the answer."""
    session = chat(which)
    stored = json.loads((session.home / "auth.json").read_text())["tokens"]
    thread_id = session.thread()
    session.model.settings(auth="enforce")
    revoke = session.tenant.ready.issuer + "/oauth/revoke"
    assert http.post(revoke, json_body={"token": stored["access_token"]}).status == 200
    session.model.respond({"text": "refreshed"})
    turn = session.turn(thread_id, "hello")
    assert agent_texts(turn) == ["refreshed"]
    assert turn.notifications("error") == []
    seen = session.model.requests(kind=None)
    assert {(r["status"], r["auth"]["bearer"]) for r in seen[:-1]} == {(401, "revoked")}
    assert (seen[-1]["status"], seen[-1]["auth"]["bearer"]) == (200, "live")
    journal = session.tenant.control.journal(route="oauth_token")
    assert [e["body"]["grant_type"] for e in journal] == ["refresh_token"]
    renewed = json.loads((session.home / "auth.json").read_text())["tokens"]
    assert renewed["access_token"] != stored["access_token"]


@pytest.mark.parametrize("which", SERVERS)
def test_client_held_tokens_carry_the_turn_and_are_asked_for_again(
    chat: StartChat, mock_tenant: MockTenant, which: str
) -> None:
    """A ``chatgptAuthTokens`` login: the model request carries the client's token and
    account; once that token is revoked, the server asks the client for a fresh one
    (``account/chatgptAuthTokens/refresh``) and sends the request again with it."""
    minted = mock_tenant.control.mint_tokens(email="held@example.com", plan_type="pro")
    account = minted["persona"]["account_id"]
    fresh = mock_tenant.control.mint_tokens(
        email="held@example.com", plan_type="pro", account_id=account
    )
    session = chat(which, signed_in=False, experimental=True)
    login = {"type": "chatgptAuthTokens", "accessToken": minted["access_token"]}
    started = session.call("account/login/start", {**login, "chatgptAccountId": account})
    assert started["result"] == {"type": "chatgptAuthTokens"}
    assert session.server.notification("account/login/completed")["params"]["success"] is True
    thread_id = session.thread()
    session.model.respond({"text": "with your token"}, {"text": "with the fresh one"})
    assert agent_texts(session.turn(thread_id, "one")) == ["with your token"]
    [first] = session.model.requests()
    assert (first["auth"]["bearer"], first["auth"]["header_account_id"]) == ("live", account)

    session.model.settings(auth="enforce")
    revoke = mock_tenant.ready.issuer + "/oauth/revoke"
    assert http.post(revoke, json_body={"token": minted["access_token"]}).status == 200
    wire = session.server.session
    wire.request("turn/start", {"threadId": thread_id, "input": text("two")})
    asked = session.server.server_request("account/chatgptAuthTokens/refresh")
    assert asked["params"] == {"reason": "unauthorized", "previousAccountId": account}
    answer = {"accessToken": fresh["access_token"], "chatgptAccountId": account}
    wire.respond(asked["id"], result={**answer, "chatgptPlanType": None})
    done = session.server.notification("turn/completed")["params"]["turn"]
    assert done["status"] == "completed"
    last = session.model.requests()[-1]
    assert (last["status"], last["auth"]["bearer"]) == (200, "live")
