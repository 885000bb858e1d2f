"""Turns: announced before anything happens in them, completed once and last.

A client opens a turn on `turn/started`, files every item and delta under the turn
it names, and closes it on `turn/completed`. Anything about a turn before its start
or after its completion, a turn id nobody announced, a thread id that is not the
turn's, or a turn that ends without a final status leaves a client with a
conversation that does not add up.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Message, Report, Rule
from .turn_events import (
    FINAL_STATUSES,
    ITEM_COMPLETED,
    ITEM_EVENTS,
    ITEM_STARTED,
    TURN_COMPLETED,
    TURN_STARTED,
    notification_params,
    turn_of,
)

#: Notifications that happen inside a turn: items, their events, the turn's diff and plan.
INSIDE_A_TURN = frozenset(
    {ITEM_STARTED, ITEM_COMPLETED, *ITEM_EVENTS, "turn/diff/updated", "turn/plan/updated"}
)


def _turn_id(method: str | None, params: dict[str, Any]) -> Any:
    """The turn a notification is about (``turn.id`` for the turn's own, else ``turnId``)."""
    if method in (TURN_STARTED, TURN_COMPLETED):
        return turn_of(params).get("id")
    return params.get("turnId")


class TurnStartedFirst(Rule):
    """`turn/started` comes before any item of its turn (or anything else inside it);
    the `turn/start` answer may come before or after it. (A turn nothing announced is
    `turn-ids`'.)"""

    name: ClassVar[str] = "turn-started-first"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.started: set[Any] = set()
        self.answered: set[Any] = set()  # turns the turn/start answer named

    def received(self, message: Message, method: str | None) -> None:
        if "method" not in message:
            result = message.get("result")
            turn = result.get("turn") if isinstance(result, dict) else None
            if isinstance(turn, dict):
                self.answered.add(turn.get("id"))
            return
        params = notification_params(message)
        if params is None:
            return
        turn_id = _turn_id(method, params)
        if method == TURN_STARTED:
            self.started.add(turn_id)
        elif method in INSIDE_A_TURN and turn_id in self.answered - self.started:
            self.report(f"{method} for turn {turn_id} came before its turn/started")
            self.started.add(turn_id)  # once per turn


class TurnCompletedLast(Rule):
    """`turn/completed` comes once per turn, with a final status (`completed`,
    `interrupted` or `failed`), and nothing inside the turn (items, deltas, approval
    requests) follows it."""

    name: ClassVar[str] = "turn-completed-last"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.completed: set[Any] = set()

    def received(self, message: Message, method: str | None) -> None:
        if "method" in message and "id" in message:  # a server request
            params = message.get("params")
            turn_id = params.get("turnId") if isinstance(params, dict) else None
            if turn_id in self.completed:
                self.report(
                    f"the server request {method} for turn {turn_id} came after its turn/completed"
                )
            return
        params = notification_params(message)
        if params is None:
            return
        turn_id = _turn_id(method, params)
        if method == TURN_COMPLETED:
            status = turn_of(params).get("status")
            if turn_id in self.completed:
                self.report(f"a second turn/completed for turn {turn_id}")
            elif status not in FINAL_STATUSES:
                self.report(
                    f"turn/completed for turn {turn_id} has status {status!r}, not one of "
                    f"{', '.join(FINAL_STATUSES)}"
                )
            self.completed.add(turn_id)
        elif method in INSIDE_A_TURN and turn_id in self.completed:
            self.report(f"{method} for turn {turn_id} came after its turn/completed")


class TurnFailure(Rule):
    """A turn ends `failed`, with its error, when the server reported an error it will
    not retry (`error` with `willRetry: false`); a turn that ends otherwise carries no
    error."""

    name: ClassVar[str] = "turn-failure"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.failed: dict[Any, Any] = {}  # turn id -> the error reported

    def received(self, message: Message, method: str | None) -> None:
        params = notification_params(message)
        if params is None:
            return
        if method == "error" and params.get("willRetry") is False:
            self.failed[params.get("turnId")] = params.get("error")
        elif method == TURN_COMPLETED:
            turn = turn_of(params)
            turn_id, status = turn.get("id"), turn.get("status")
            if turn_id in self.failed and status != "failed":
                self.report(
                    f"turn {turn_id} ended {status!r} after the server reported an error it "
                    "would not retry (error with willRetry: false); expected 'failed'"
                )
            elif status == "failed" and not turn.get("error"):
                self.report(f"turn {turn_id} ended 'failed' without an error")
            elif status in ("completed", "interrupted") and turn.get("error"):
                self.report(f"turn {turn_id} ended {status!r} but carries an error")


class TurnIds(Rule):
    """Notifications name turns and threads the server announced: a `turnId` that
    `turn/started` or the `turn/start` answer named, with that turn's `threadId`; a
    `threadId` of a thread the server started, resumed or announced (`thread/started`),
    or one the client named in a request (`thread/resume`). While a `thread/start` or
    `thread/fork` is unanswered, a new thread may show up before the answer names it
    (0.171.0 reports its MCP servers' start-up for the thread first)."""

    name: ClassVar[str] = "turn-ids"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.threads: set[Any] = set()
        self.turns: dict[Any, Any] = {}  # turn id -> thread id
        self.turn_starts: dict[Any, Any] = {}  # the kit's turn/start id -> thread id
        self.creating: set[Any] = set()  # the kit's thread/start and thread/fork ids
        self.reported: set[Any] = set()

    def sent(self, message: Message, method: str | None) -> None:
        if "method" not in message or "id" not in message:
            return  # only the kit's requests name threads
        if method in ("thread/start", "thread/fork"):
            self.creating.add(message["id"])
        params = message.get("params")
        if not isinstance(params, dict):
            return
        if method == "turn/start":
            self.turn_starts[message["id"]] = params.get("threadId")
        elif params.get("threadId") is not None:
            self.threads.add(params["threadId"])  # thread/resume: its status may come first

    def received(self, message: Message, method: str | None) -> None:
        if "method" not in message:
            self._answer(message)
            return
        params = message.get("params")
        if not isinstance(params, dict):
            return
        self._announced(params.get("thread"))
        thread_id, turn_id = params.get("threadId"), _turn_id(method, params)
        if method == TURN_STARTED and turn_id is not None:
            self.turns.setdefault(turn_id, thread_id)
            self.threads.add(thread_id)
        if thread_id is not None and thread_id not in self.threads and not self.creating:
            self._once(
                thread_id, f"{method} names thread {thread_id}, which the server never announced"
            )
        if turn_id is None:
            return
        if turn_id not in self.turns:
            self._once(turn_id, f"{method} names turn {turn_id}, which never started")
        elif thread_id is not None and self.turns[turn_id] != thread_id:
            self.report(
                f"{method} for turn {turn_id} names thread {thread_id}; the turn is of "
                f"thread {self.turns[turn_id]}"
            )

    def _answer(self, message: Message) -> None:
        self.creating.discard(message.get("id"))
        result = message.get("result")
        if not isinstance(result, dict):
            return
        self._announced(result.get("thread"))
        thread_id = self.turn_starts.pop(message.get("id"), None)
        turn = result.get("turn")
        if thread_id is not None and isinstance(turn, dict):
            self.threads.add(thread_id)
            self.turns.setdefault(turn.get("id"), thread_id)

    def _announced(self, thread: Any) -> None:
        if isinstance(thread, dict) and thread.get("id") is not None:
            self.threads.add(thread["id"])

    def _once(self, key: Any, text: str) -> None:
        if key not in self.reported:
            self.reported.add(key)
            self.report(text)
