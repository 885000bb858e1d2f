"""A streamed item, collected whole: its start, its deltas, its completion.

A client renders an agent message from its deltas and then replaces it with the
completed item; when the two disagree, what the user saw is not what the thread
holds. This step gathers both and holds them to each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from ..capabilities import CONVERSATION
from ..rules.turn_events import (
    ITEM_COMPLETED,
    ITEM_EVENTS,
    ITEM_STARTED,
    Builds,
    completed_text,
    item_of,
)
from .base import Expect, Save, StepKind, Timeout

if TYPE_CHECKING:
    from ..run_context import RunContext
    from ..session import Message


def _is_start_of(kind: str) -> Callable[[Message], bool]:
    def accepts(message: Message) -> bool:
        if message.get("method") != ITEM_STARTED or "id" in message:
            return False
        return bool(item_of(message.get("params") or {}).get("type") == kind)

    return accepts


def _about(item_id: Any) -> Callable[[Message], bool]:
    """Messages about this item: its events and its completion."""

    def accepts(message: Message) -> bool:
        method = message.get("method")
        if "id" in message or not (method in ITEM_EVENTS or method == ITEM_COMPLETED):
            return False
        params = message.get("params") or {}
        if method == ITEM_COMPLETED:
            return bool(item_of(params).get("id") == item_id)
        return bool(params.get("itemId") == item_id)

    return accepts


class Item(StepKind):
    """Await an item of this type (`item/started`) and collect it until its
    `item/completed`: the deltas must add up to the completed item's text.

    The types are the protocol's (`agentMessage`, `reasoning`, `commandExecution`,
    `userMessage` ...); agent-message deltas must equal `text`, reasoning deltas each
    `summary` (or `content`) entry. Other messages that arrive meanwhile stay for later
    steps.
    """

    action: ClassVar[str] = "item"
    written: ClassVar[str] = "TYPE"

    item: str
    expect: Expect = Field(default=None, description="What the completed `item` must hold.")
    streamed: bool | None = Field(
        default=None,
        description="`true`: at least one delta must come; `false`: none may (default: either).",
    )
    save: Save = None
    timeout: Timeout = None

    def capabilities(self) -> frozenset[str]:
        return frozenset({CONVERSATION})

    def execute(self, run: RunContext) -> None:
        session = run.session
        timeout = run.timeout(self.timeout)
        started = session.expect(
            _is_start_of(self.item), f"item/started of an {self.item} item", timeout
        )
        item_id = item_of(started.get("params") or {}).get("id")
        texts: dict[tuple[str, int | None], str] = {}
        deltas = 0
        while True:
            message = session.expect(
                _about(item_id), f"item/completed of {self.item} item {item_id}", timeout
            )
            method = str(message["method"])
            params = message.get("params") or {}
            if method == ITEM_COMPLETED:
                completed = item_of(params)
                break
            builds = ITEM_EVENTS[method]
            if isinstance(builds, Builds) and isinstance(params.get("delta"), str):
                deltas += 1
                key = builds.key(params)
                texts[key] = texts.get(key, "") + params["delta"]
        self._hold(run, completed, texts, deltas, item_id)
        run.check(self.expect, completed, f"the completed {self.item} item {item_id}")
        if self.save:
            run.saved[self.save] = completed

    def _hold(
        self,
        run: RunContext,
        completed: dict[str, Any],
        texts: dict[tuple[str, int | None], str],
        deltas: int,
        item_id: Any,
    ) -> None:
        """The deltas against the completed item, and ``streamed``."""
        if self.streamed is True and deltas == 0:
            run.fail("mismatch", f"{self.item} item {item_id} completed without a delta")
        if self.streamed is False and deltas:
            run.fail("unexpected", f"{self.item} item {item_id} came with {deltas} delta(s)")
        for (field, index), streamed in texts.items():
            final = completed_text(completed, (field, index))
            where = field if index is None else f"{field}[{index}]"
            if final != streamed:
                run.fail(
                    "mismatch",
                    f"the deltas of {self.item} item {item_id} add up to "
                    f"{json.dumps(streamed)[:200]}, but the completed item's {where} is "
                    f"{json.dumps(final)[:200]}",
                )
