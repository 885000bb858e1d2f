"""The protocol rules on their own: fed messages through a judge, as a session would, each
finding names its rule; the docs table is the registry's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import conformance.rules
from conformance.judge import Judge
from conformance.rules import RULES, Rule, docs_table
from tests.support.registry import subclasses_defined_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
Message = dict[str, Any]


def test_the_docs_table_is_the_registrys() -> None:
    assert docs_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/conformance.md's rules table differs from the registry: replace it with the "
        "output of `python -m conformance.rules`"
    )


def test_every_rule_in_the_package_is_registered_and_described() -> None:
    defined = subclasses_defined_in(conformance.rules, Rule)
    assert defined == set(RULES.values())
    assert {"login-order", "login-completed-once"} <= set(RULES)
    assert all(rule.describe() for rule in RULES.values())


def test_a_second_rule_with_the_same_id_is_refused() -> None:
    with pytest.raises(TypeError, match="rule 'login-order' is already LoginOrder"):

        class AnotherOrder(Rule):
            name = "login-order"


def conversation(*steps: tuple[str, Message]) -> list[tuple[str | None, str]]:
    """Run messages through a judge (no schema), as a session does; (rule, text) found."""
    judge = Judge(None)
    for direction, message in steps:
        if direction == "out":
            method = message.get("method") or judge.answering(message.get("id"))
            judge.outgoing(message, method, None)
        else:
            judge.received(message, judge.method_of(message))
    return [(f.rule, f.message) for f in judge.all_problems()]


LOGIN = ("out", {"id": 1, "method": "account/login/start", "params": {"type": "chatgpt"}})
STARTED = ("in", {"id": 1, "result": {"type": "chatgpt", "loginId": "L1"}})
UPDATED = ("in", {"method": "account/updated", "params": {"authMode": "chatgpt"}})


def completed(success: bool) -> tuple[str, Message]:
    params = {"loginId": "L1", "success": success, "error": None}
    return ("in", {"method": "account/login/completed", "params": params})


def test_a_sign_in_in_order_breaks_no_rule() -> None:
    assert conversation(LOGIN, STARTED, completed(True), UPDATED) == []


def test_a_sign_in_before_its_login_completed_breaks_login_order() -> None:
    assert conversation(LOGIN, STARTED, UPDATED, completed(True)) == [
        (
            "login-order",
            "account/updated reported a sign-in before account/login/completed "
            "(login L1 has not completed)",
        )
    ]


def test_a_sign_in_after_a_failed_completion_breaks_login_order_until_the_next_login() -> None:
    found = conversation(LOGIN, STARTED, completed(False), UPDATED)
    assert found == [
        (
            "login-order",
            "account/updated reported a sign-in after account/login/completed reported "
            "login L1 failed",
        )
    ]
    logout = ("out", {"id": 2, "method": "account/logout"})
    assert conversation(LOGIN, STARTED, completed(False), logout, UPDATED) == []


def test_a_login_completed_twice_breaks_login_completed_once() -> None:
    assert conversation(LOGIN, STARTED, completed(True), completed(True)) == [
        ("login-completed-once", "a second account/login/completed for login L1")
    ]


# The conversation rules. Messages as codex 0.163.0 sends them, cut to what the rules read.
THREAD, TURN = "th-1", "tu-1"
TURN_START = ("out", {"id": 5, "method": "turn/start", "params": {"threadId": THREAD}})
TURN_ANSWER = ("in", {"id": 5, "result": {"turn": {"id": TURN, "status": "inProgress"}}})


def note(method: str, **params: Any) -> tuple[str, Message]:
    return ("in", {"method": method, "params": {"threadId": THREAD, "turnId": TURN, **params}})


def turn_event(method: str, status: str = "inProgress", error: Any = None) -> tuple[str, Message]:
    turn = {"id": TURN, "status": status, "error": error}
    return ("in", {"method": method, "params": {"threadId": THREAD, "turn": turn}})


def item(method: str, item_id: str = "msg-1", kind: str = "agentMessage") -> tuple[str, Message]:
    return note(method, item={"type": kind, "id": item_id, "text": "hi"})


def delta(item_id: str = "msg-1") -> tuple[str, Message]:
    return note("item/agentMessage/delta", itemId=item_id, delta="hi")


THREAD_STARTED = ("in", {"method": "thread/started", "params": {"thread": {"id": THREAD}}})
OPENING = (THREAD_STARTED, TURN_START, TURN_ANSWER, turn_event("turn/started"))


def turn_of(*middle: tuple[str, Message], status: str = "completed") -> list[tuple[str, Message]]:
    error = {"message": "boom"} if status == "failed" else None
    return [*OPENING, *middle, turn_event("turn/completed", status, error)]


def test_a_streamed_turn_in_order_breaks_no_rule() -> None:
    steps = turn_of(item("item/started"), delta(), delta(), item("item/completed"))
    assert conversation(*steps) == []


def test_an_item_left_open_breaks_item_completed_unless_interrupted_or_cut() -> None:
    assert conversation(*turn_of(item("item/started"), delta())) == [
        (
            "item-completed",
            f"turn {TURN} completed (completed) while its agentMessage item msg-1 had "
            "started and not completed (no item/completed)",
        )
    ]
    assert conversation(*turn_of(item("item/started"), delta(), status="interrupted")) == []
    retry = note("error", willRetry=True, error={"message": "Reconnecting... 1/5"})
    again = (item("item/started", "msg-2"), item("item/completed", "msg-2"))
    assert conversation(*turn_of(item("item/started"), delta(), retry, *again)) == []


def test_deltas_outside_their_item_break_delta_within_item() -> None:
    late = turn_of(item("item/started"), item("item/completed"), delta())
    assert conversation(*late) == [
        ("delta-within-item", f"item/agentMessage/delta for item msg-1 of turn {TURN} came "
         "after its item/completed"),
    ]  # fmt: skip
    early = turn_of(delta(), item("item/started"), item("item/completed"))
    assert [rule for rule, _ in conversation(*early)] == ["delta-within-item"]


def test_items_before_turn_started_and_after_turn_completed_break_the_turn_rules() -> None:
    early = [THREAD_STARTED, TURN_START, TURN_ANSWER, item("item/started")]
    ending = [turn_event("turn/started"), item("item/completed"), turn_of()[-1]]
    assert conversation(*early, *ending) == [
        ("turn-started-first", f"item/started for turn {TURN} came before its turn/started")
    ]
    found = conversation(*turn_of(), item("item/started"))
    late = f"item/started for turn {TURN} came after its turn/completed"
    assert ("turn-completed-last", late) in found


def test_a_turn_completed_twice_or_without_a_final_status_breaks_turn_completed_last() -> None:
    twice = [*turn_of(), turn_event("turn/completed", "completed")]
    assert conversation(*twice) == [
        ("turn-completed-last", f"a second turn/completed for turn {TURN}")
    ]
    assert conversation(*turn_of(status="inProgress")) == [
        ("turn-completed-last", f"turn/completed for turn {TURN} has status 'inProgress', not "
         "one of completed, interrupted, failed"),
    ]  # fmt: skip


def test_a_failure_reported_completed_breaks_turn_failure() -> None:
    fatal = note("error", willRetry=False, error={"message": "Quota exceeded."})
    assert conversation(*turn_of(fatal, status="failed")) == []
    assert [rule for rule, _ in conversation(*turn_of(fatal))] == ["turn-failure"]
    unexplained = [*OPENING, turn_event("turn/completed", "failed", None)]
    assert conversation(*unexplained) == [
        ("turn-failure", f"turn {TURN} ended 'failed' without an error")
    ]


def test_unknown_turns_and_threads_break_turn_ids() -> None:
    stranger = ("in", {"method": "item/started", "params": {"threadId": THREAD, "turnId": "tu-9",
                "item": {"type": "agentMessage", "id": "m"}}})  # fmt: skip
    assert conversation(*turn_of(), stranger) == [
        ("turn-ids", "item/started names turn tu-9, which never started")
    ]
    elsewhere = ("in", {"method": "item/agentMessage/delta", "params": {"threadId": "th-2",
                 "turnId": TURN, "itemId": "msg-1", "delta": "x"}})  # fmt: skip
    found = conversation(*turn_of(item("item/started"), elsewhere, item("item/completed")))
    assert found == [
        ("turn-ids", "item/agentMessage/delta names thread th-2, which the server never announced"),
        ("turn-ids", f"item/agentMessage/delta for turn {TURN} names thread th-2; the turn is of "
         f"thread {THREAD}"),
    ]  # fmt: skip
    resumed = ("out", {"id": 9, "method": "thread/resume", "params": {"threadId": "th-3"}})
    status = ("in", {"method": "thread/status/changed", "params": {"threadId": "th-3"}})
    assert conversation(resumed, status) == []


APPROVAL = ("in", {"id": 0, "method": "item/commandExecution/requestApproval",
            "params": {"threadId": THREAD, "turnId": TURN, "itemId": "call-1"}})  # fmt: skip
ACCEPT = ("out", {"id": 0, "result": {"decision": "accept"}})
RESOLVED = note("serverRequest/resolved", requestId=0)
COMMAND = ("call-1", "commandExecution")


def test_an_answered_approval_is_resolved_before_its_item_completes() -> None:
    started, completed = item("item/started", *COMMAND), item("item/completed", *COMMAND)
    assert conversation(*turn_of(started, APPROVAL, ACCEPT, RESOLVED, completed)) == []
    late = conversation(*turn_of(started, APPROVAL, ACCEPT, completed, RESOLVED))
    assert late[0] == (
        "approval-resolved",
        "item/completed for item call-1 came before serverRequest/resolved for the answered "
        "item/commandExecution/requestApproval (id 0)",
    )
    never_sent = conversation(*turn_of(started, RESOLVED, completed))
    assert never_sent == [
        ("approval-resolved", "serverRequest/resolved names request 0, which the server never "
         "sent (or had already resolved)"),
    ]  # fmt: skip


def test_a_request_id_still_outstanding_breaks_server_request_ids() -> None:
    refresh = ("in", {"id": 0, "method": "account/chatgptAuthTokens/refresh", "params": {}})
    assert conversation(*OPENING, refresh, APPROVAL) == [
        ("server-request-ids", "the server request item/commandExecution/requestApproval reuses "
         "id 0, which its account/chatgptAuthTokens/refresh request still outstanding has"),
    ]  # fmt: skip
    answered = ("out", {"id": 0, "result": {"accessToken": "a", "chatgptAccountId": "b"}})
    assert conversation(*OPENING, refresh, answered, APPROVAL) == []


def test_a_new_thread_may_show_up_before_the_thread_start_answer() -> None:
    """0.171.0 reports its MCP servers' start-up for a thread before answering
    thread/start; once answered, a thread nobody announced is a fault again."""
    start = ("out", {"id": 3, "method": "thread/start", "params": {}})
    early = ("in", {"method": "mcpServer/startupStatus/updated", "params": {"threadId": THREAD}})
    answer = ("in", {"id": 3, "result": {"thread": {"id": THREAD}}})
    assert conversation(start, early, answer) == []
    stranger = ("in", {"method": "thread/status/changed", "params": {"threadId": "th-9"}})
    assert conversation(start, early, answer, stranger) == [
        ("turn-ids", "thread/status/changed names thread th-9, which the server never announced")
    ]
