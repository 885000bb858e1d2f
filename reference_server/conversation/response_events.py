"""One model response, event by event: items started, deltas forwarded the moment they
arrive, items completed and added to the conversation, tool calls run.

Shapes follow what 0.163.0 accepts: a delta counts only for an item announced by
``response.output_item.added`` (others are dropped); an item only ``added`` never
completes; a message that arrives whole (``output_item.done`` alone) is started and
completed at once; an item without an id gets ``msg_<uuid>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..protocol import items as i
from ..protocol.base import WireModel
from .rollout import Rollout
from .thread_state import ThreadState, TurnRecord
from .turn_items import TurnItems

ABORTED = "aborted"
#: Runs an ``exec_command`` call (its call id, its arguments); what the model is told.
RunTool = Callable[[str, str], Awaitable[str]]


def _text(item: dict[str, Any]) -> str:
    content = item.get("content")
    parts = content if isinstance(content, list) else []
    return "".join(
        str(p.get("text", ""))
        for p in parts
        if isinstance(p, dict) and p.get("type") == "output_text"
    )


def _summary(item: dict[str, Any]) -> list[str]:
    summary = item.get("summary")
    parts = summary if isinstance(summary, list) else []
    return [str(p.get("text", "")) for p in parts if isinstance(p, dict)]


@dataclass
class ResponseEvents:
    """Turns one response's events into notifications, history and turn items."""

    state: ThreadState
    turn: TurnRecord
    rollout: Rollout
    notify: Callable[[WireModel], None]
    run_tool: RunTool
    items: TurnItems
    #: The kind (``message``, ``reasoning``) of each item announced by
    #: ``output_item.added`` and not done yet, by id.
    open: dict[str, str] = field(default_factory=dict)
    #: Anything shown to the client yet (a steer may restart a response only before).
    emitted: bool = False
    #: A tool ran: the model must be asked again with its output.
    follow_up: bool = False
    usage: dict[str, Any] | None = None

    def _started(self, item: i.ThreadItemVariant) -> None:
        self.emitted = True
        self.items.started(i.ThreadItem(item))

    def _completed(self, item: i.ThreadItemVariant) -> None:
        self.items.completed(i.ThreadItem(item))

    def remember(self, item: dict[str, Any]) -> None:
        """Add an item to what the model is sent next time."""
        self.state.history.append(item)
        self.rollout.item(item)

    async def handle(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "response.output_item.added":
            self._added(event.get("item"))
        elif kind == "response.output_text.delta":
            self._delta(event)
        elif kind == "response.reasoning_summary_part.added":
            self._part(event)
        elif kind == "response.reasoning_summary_text.delta":
            self._summary_delta(event)
        elif kind == "response.output_item.done":
            await self._done(event.get("item"))
        elif kind == "response.completed":
            response = event.get("response")
            if isinstance(response, dict) and isinstance(response.get("usage"), dict):
                self.usage = response["usage"]

    def _added(self, item: Any) -> None:
        if not isinstance(item, dict):
            return
        kind = item.get("type")
        if kind == "message" and item.get("role", "assistant") == "assistant":
            item_id = str(item.get("id") or f"msg_{uuid.uuid4()}")
            self.open[item_id] = "message"
            self._started(i.AgentMessageItem(id=item_id, text=""))
        elif kind == "reasoning":
            item_id = str(item.get("id") or f"rs_{uuid.uuid4()}")
            self.open[item_id] = "reasoning"
            self._started(i.ReasoningItem(id=item_id))

    def _delta(self, event: dict[str, Any]) -> None:
        item_id = event.get("item_id")
        delta = event.get("delta")
        if not isinstance(item_id, str) or not isinstance(delta, str):
            return
        if self.open.get(item_id) != "message":
            return
        self.notify(
            i.AgentMessageDeltaNotification(
                thread_id=self.state.id, turn_id=self.turn.id, item_id=item_id, delta=delta
            )
        )

    def _reasoning_target(self, event: dict[str, Any]) -> tuple[str, int] | None:
        item_id = event.get("item_id")
        index = event.get("summary_index", 0)
        if not isinstance(item_id, str) or not isinstance(index, int):
            return None
        if self.open.get(item_id) != "reasoning":
            return None
        return item_id, index

    def _part(self, event: dict[str, Any]) -> None:
        target = self._reasoning_target(event)
        if target is not None:
            self.notify(
                i.ReasoningSummaryPartAddedNotification(
                    thread_id=self.state.id,
                    turn_id=self.turn.id,
                    item_id=target[0],
                    summary_index=target[1],
                )
            )

    def _summary_delta(self, event: dict[str, Any]) -> None:
        target = self._reasoning_target(event)
        delta = event.get("delta")
        if target is not None and isinstance(delta, str):
            self.notify(
                i.ReasoningSummaryTextDeltaNotification(
                    thread_id=self.state.id,
                    turn_id=self.turn.id,
                    item_id=target[0],
                    delta=delta,
                    summary_index=target[1],
                )
            )

    async def _done(self, item: Any) -> None:
        if not isinstance(item, dict):
            return
        kind = item.get("type")
        if kind == "message" and item.get("role", "assistant") == "assistant":
            item_id = str(item.get("id") or f"msg_{uuid.uuid4()}")
            text = _text(item)
            if self.open.pop(item_id, None) is None:
                self._started(i.AgentMessageItem(id=item_id, text=text))
            self.remember(item)
            self._completed(i.AgentMessageItem(id=item_id, text=text))
        elif kind == "reasoning":
            item_id = str(item.get("id") or f"rs_{uuid.uuid4()}")
            done = i.ReasoningItem(id=item_id, summary=_summary(item))
            if self.open.pop(item_id, None) is None:
                self._started(i.ReasoningItem(id=item_id))
            self.remember(item)
            self._completed(done)
        elif kind in ("function_call", "custom_tool_call"):
            await self._call(item, kind)

    async def _call(self, item: dict[str, Any], kind: str) -> None:
        self.emitted = True
        self.follow_up = True
        call_id = str(item.get("call_id") or item.get("id") or f"call_{uuid.uuid4()}")
        name = str(item.get("name") or "")
        self.remember(item)
        reply_kind = (
            "function_call_output" if kind == "function_call" else "custom_tool_call_output"
        )
        if kind != "function_call" or name != "exec_command":
            output = f"unsupported call: {name}"
        else:
            try:
                output = await self.run_tool(call_id, str(item.get("arguments") or ""))
            except BaseException:
                # A call the model made always gets an output, or the next request is refused.
                self.remember({"type": reply_kind, "call_id": call_id, "output": ABORTED})
                raise
        self.remember({"type": reply_kind, "call_id": call_id, "output": output})
