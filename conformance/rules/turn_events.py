"""What the notifications of a turn are: one vocabulary for the conversation rules and
for the step that collects a streamed item.

An item lives from its ``item/started`` to its ``item/completed``; in between, the
server may stream *item events* about it (each carries its ``itemId``). Some of them
are deltas of one of the completed item's texts: the agent message's ``text``, a
reasoning item's ``summary[summaryIndex]`` or ``content[contentIndex]``, a plan's
``text``. Command and file-change output deltas are item events too, but what they
add up to is not held to the completed item (a server may trim or label the output it
aggregates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Builds:
    """The completed item's text that a delta adds to: ``field``, or ``field[index]``
    where the delta says which (``summaryIndex``)."""

    field: str
    index: str | None = None

    def key(self, params: dict[str, Any]) -> tuple[str, int | None]:
        """Which text this delta adds to: ``("summary", 0)``, ``("text", None)``."""
        if self.index is None:
            return (self.field, None)
        position = params.get(self.index)
        return (self.field, position if isinstance(position, int) else None)


#: Notifications about one item (they carry ``itemId``), allowed only between its
#: ``item/started`` and ``item/completed``; those that build a text say which.
ITEM_EVENTS: dict[str, Builds | None] = {
    "item/agentMessage/delta": Builds("text"),
    "item/plan/delta": Builds("text"),
    "item/reasoning/summaryTextDelta": Builds("summary", "summaryIndex"),
    "item/reasoning/textDelta": Builds("content", "contentIndex"),
    "item/reasoning/summaryPartAdded": None,
    "item/commandExecution/outputDelta": None,
    "item/commandExecution/terminalInteraction": None,
    "item/fileChange/outputDelta": None,
    "item/fileChange/patchUpdated": None,
    "item/mcpToolCall/progress": None,
}

ITEM_STARTED = "item/started"
ITEM_COMPLETED = "item/completed"
TURN_STARTED = "turn/started"
TURN_COMPLETED = "turn/completed"
#: How a turn may end (``turn/completed`` ``turn.status``).
FINAL_STATUSES = ("completed", "interrupted", "failed")


def completed_text(item: dict[str, Any], key: tuple[str, int | None]) -> Any:
    """What a completed item says one of its texts is (``Builds.key``); None: no such text."""
    value = item.get(key[0])
    if key[1] is None:
        return value
    if isinstance(value, list) and 0 <= key[1] < len(value):
        return value[key[1]]
    return None


def notification_params(message: dict[str, Any]) -> dict[str, Any] | None:
    """A notification's params (``{}`` when it has none); None for anything else."""
    if "id" in message or "method" not in message:
        return None
    params = message.get("params")
    return params if isinstance(params, dict) else {}


def item_of(params: dict[str, Any]) -> dict[str, Any]:
    """The ``item`` of an ``item/started`` or ``item/completed`` (``{}`` when malformed)."""
    item = params.get("item")
    return item if isinstance(item, dict) else {}


def turn_of(params: dict[str, Any]) -> dict[str, Any]:
    """The ``turn`` of a ``turn/started`` or ``turn/completed`` (``{}`` when malformed)."""
    turn = params.get("turn")
    return turn if isinstance(turn, dict) else {}
