"""Items: each one started, streamed and completed in that order, within its turn.

A client draws an item when it starts, appends its deltas, and replaces it with the
completed item; an item that never completes stays drawn as in progress, and a delta
that comes after the completion (or before the start) has nowhere to go.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Message, Report, Rule
from .turn_events import (
    ITEM_COMPLETED,
    ITEM_EVENTS,
    ITEM_STARTED,
    TURN_COMPLETED,
    item_of,
    notification_params,
    turn_of,
)

#: (turn id, item id): item ids are unique within a turn.
Key = tuple[Any, Any]


class ItemCompleted(Rule):
    """Every `item/started` has its `item/completed` before its turn's `turn/completed`,
    and an item completes once. As codex 0.163.0 to 0.171.0 do, an item may stay open
    in a turn that ends `interrupted` (the item the interrupt cut), and an item whose
    model stream broke off (an `error` for its turn came while it was open: the retried
    answer is a new item, or the turn fails)."""

    name: ClassVar[str] = "item-completed"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.open: dict[Key, str] = {}  # (turn, item) -> item type
        self.completed: set[Key] = set()
        #: Items open when their turn reported an error (a retry, a failure): they may
        #: stay open.
        self.cut: set[Key] = set()

    def received(self, message: Message, method: str | None) -> None:
        params = notification_params(message)
        if params is None:
            return
        turn_id = params.get("turnId")
        if method == ITEM_STARTED:
            item = item_of(params)
            self.open[(turn_id, item.get("id"))] = str(item.get("type"))
        elif method == ITEM_COMPLETED:
            key = (turn_id, item_of(params).get("id"))
            if key in self.completed:
                self.report(f"a second item/completed for item {key[1]} of turn {turn_id}")
            self.completed.add(key)
            self.open.pop(key, None)
        elif method == "error":
            self.cut |= {key for key in self.open if key[0] == turn_id}
        elif method == TURN_COMPLETED:
            self._turn_completed(turn_of(params))

    def _turn_completed(self, turn: dict[str, Any]) -> None:
        turn_id = turn.get("id")
        left = [key for key in self.open if key[0] == turn_id]
        for key in left:
            kind = self.open.pop(key)
            if turn.get("status") == "interrupted" or key in self.cut:
                continue
            self.report(
                f"turn {turn_id} completed ({turn.get('status')}) while its {kind} item "
                f"{key[1]} had started and not completed (no item/completed)"
            )


class DeltaWithinItem(Rule):
    """Item events (`item/agentMessage/delta`, reasoning deltas, command output deltas
    ...) come only between their item's `item/started` and `item/completed`."""

    name: ClassVar[str] = "delta-within-item"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.open: set[Key] = set()
        self.completed: set[Key] = set()

    def received(self, message: Message, method: str | None) -> None:
        params = notification_params(message)
        if params is None:
            return
        turn_id = params.get("turnId")
        if method == ITEM_STARTED:
            self.open.add((turn_id, item_of(params).get("id")))
        elif method == ITEM_COMPLETED:
            key = (turn_id, item_of(params).get("id"))
            self.open.discard(key)
            self.completed.add(key)
        elif method in ITEM_EVENTS:
            key = (turn_id, params.get("itemId"))
            if key in self.open:
                return
            when = (
                "after its item/completed"
                if key in self.completed
                else "for an item that had not started (no item/started)"
            )
            self.report(f"{method} for item {key[1]} of turn {turn_id} came {when}")
