"""A turn's items as they start and complete: the one path every item takes, whoever
makes it (the user's message, the model's answer, a command the model ran).

``item/started`` and ``item/completed`` go to the client; a completed item that is
recorded joins the turn (``thread/read``, ``thread/resume``) and its rollout. 0.163.0
records every item it completes except a command the client declined or cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..protocol import items as i
from ..protocol.base import WireModel
from .rollout import Rollout
from .thread_state import TurnRecord


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class TurnItems:
    thread_id: str
    turn: TurnRecord
    rollout: Rollout
    notify: Callable[[WireModel], None]

    def started(self, item: i.ThreadItem, at_ms: int | None = None) -> None:
        self.notify(
            i.ItemStartedNotification(
                item=item,
                thread_id=self.thread_id,
                turn_id=self.turn.id,
                started_at_ms=now_ms() if at_ms is None else at_ms,
            )
        )

    def completed(self, item: i.ThreadItem, at_ms: int | None = None, record: bool = True) -> None:
        """``record=False`` for an item the turn does not keep (a declined command)."""
        if record:
            self.turn.items.append(item)
            self.rollout.completed(self.thread_id, self.turn.id, item)
        self.notify(
            i.ItemCompletedNotification(
                item=item,
                thread_id=self.thread_id,
                turn_id=self.turn.id,
                completed_at_ms=now_ms() if at_ms is None else at_ms,
            )
        )
