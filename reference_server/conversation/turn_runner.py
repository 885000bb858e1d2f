"""One turn from ``turn/started`` to ``turn/completed``: ask the model, forward its
answer, run its tools, ask again while it calls tools, and end ``completed``,
``interrupted`` or ``failed`` with the notifications 0.163.0 sends, in its order.

A response that breaks off is retried (``stream_max_retries``, each announced as an
``error`` with ``willRetry: true``); input sent to the running turn (a second
``turn/start``) joins it at once, restarting a response that has shown nothing yet.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..protocol import items as i
from ..protocol import rate_limits as limits
from ..protocol.base import WireModel
from ..protocol.thread import ThreadActiveFlag, ThreadStatus, ThreadStatusChangedNotification
from ..protocol.turn import (
    CodexErrorInfo,
    ErrorNotification,
    ThreadTokenUsageUpdatedNotification,
    TurnCompletedNotification,
    TurnError,
    TurnItemsView,
    TurnStartedNotification,
    TurnStatus,
)
from . import request_body, sse
from .catalog import Catalog, CatalogEntry
from .exec_command import ToolScope, TurnCancelled, exec_command
from .ids import uuid7
from .model_client import ModelClient, backoff
from .model_errors import CLOSED_EARLY, ModelFailure, from_failed_event, stream_cut
from .provider import Provider
from .response_events import ResponseEvents
from .rollout import Rollout
from .thread_state import ActiveTurn, ThreadState, TurnInput
from .turn_items import TurnItems, now_ms
from .usage import rate_limits

log = logging.getLogger("reference_server")


@dataclass(frozen=True)
class TurnServices:
    """What every turn of a connection shares."""

    client: ModelClient
    catalog: Catalog
    provider: Provider
    notify: Callable[[WireModel], None]
    ask: Callable[[WireModel], Awaitable[Any]]
    originator: Callable[[], str]
    user_agent: Callable[[], str]


class TurnRunner:
    def __init__(
        self, state: ThreadState, active: ActiveTurn, rollout: Rollout, services: TurnServices
    ) -> None:
        self.state = state
        self.active = active
        self.turn = active.record
        self.rollout = rollout
        self.services = services
        self.notify = services.notify
        self.items = TurnItems(state.id, self.turn, rollout, services.notify)
        self._events: ResponseEvents | None = None

    # -- status ---------------------------------------------------------------------------------

    def _status(self, status: ThreadStatus) -> None:
        self.state.status = status
        self.notify(ThreadStatusChangedNotification(thread_id=self.state.id, status=status))

    def _flags(self, *flags: ThreadActiveFlag) -> None:
        self._status(ThreadStatus.active(*flags))

    def _token_count(self, headers: dict[str, str]) -> None:
        usage = self.state.tokens.snapshot()
        if usage is not None:
            self.notify(
                ThreadTokenUsageUpdatedNotification(
                    thread_id=self.state.id, turn_id=self.turn.id, token_usage=usage
                )
            )
        self.notify(limits.AccountRateLimitsUpdatedNotification(rate_limits=rate_limits(headers)))

    # -- the turn ---------------------------------------------------------------------------------

    async def run(self, first: TurnInput) -> None:
        self.turn.begin()
        self._status(ThreadStatus.active())
        self.notify(
            TurnStartedNotification(
                thread_id=self.state.id, turn=self.turn.wire(TurnItemsView.NOT_LOADED)
            )
        )
        self.rollout.turn_context(self.state, self.turn.id)
        self.rollout.event("task_started", turn_id=self.turn.id, started_at=self.turn.started_at)
        try:
            if self.active.interrupted:  # interrupted before it could begin
                raise asyncio.CancelledError
            if not self.state.history:
                self._remember(request_body.environment_context(self.state.cwd))
            self._user_message(first)
            await self._loop()
        except asyncio.CancelledError:
            if not self.active.interrupted:
                self._aborted()
                raise
            self._interrupted()
        except TurnCancelled:
            self._interrupted()
        except ModelFailure as failure:
            if failure.limits is not None:
                self._token_count(failure.limits)
            self._failed(failure.turn_error())
        except Exception as exc:  # never a stuck turn: whatever breaks ends it, failed
            log.error("turn %s failed", self.turn.id, exc_info=exc)
            self._failed(TurnError(message=f"internal error: {exc}", codex_error_info=_other()))
        else:
            self._completed()
        finally:
            self.state.active = None
            self.state.touch()

    def _remember(self, item: dict[str, Any]) -> None:
        self.state.history.append(item)
        self.rollout.item(item)

    def _user_message(self, given: TurnInput) -> None:
        item = i.UserMessageItem(id=uuid7(), content=given.parts)
        self._remember(given.message)
        if not self.state.preview:
            texts = [p.root.text for p in given.parts if isinstance(p.root, i.TextUserInput)]
            self.state.preview = "".join(texts)
        stamp = now_ms()
        wrapped = i.ThreadItem(item)
        self.items.started(wrapped, stamp)
        self.items.completed(wrapped, stamp)

    def _take_steered(self) -> bool:
        taken = bool(self.active.steered)
        while self.active.steered:
            self._user_message(self.active.steered.pop(0))
        return taken

    async def _loop(self) -> None:
        """Ask the model until it answers without calling a tool and no input is waiting."""
        while True:
            entry = await self.services.catalog.find(self.state.model)
            self.state.tokens.context_window = entry.context_window
            self._events = None
            sample = asyncio.ensure_future(self._sample(entry))
            wake: asyncio.Future[Any] | None = None
            steered = False
            try:
                while not sample.done():
                    wake = asyncio.ensure_future(self.active.wake.wait())
                    done, _ = await asyncio.wait(
                        {sample, wake}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if wake not in done:
                        continue
                    self.active.wake.clear()
                    steered = self._take_steered() or steered
                    shown = self._events is not None and self._events.emitted
                    if steered and not shown:  # nothing shown yet: ask again with the new input
                        sample.cancel()
                        await asyncio.gather(sample, return_exceptions=True)
                        break
            finally:
                if wake is not None:
                    wake.cancel()
                if not sample.done():
                    sample.cancel()
                    await asyncio.gather(sample, return_exceptions=True)
            if sample.cancelled():
                continue
            follow_up = sample.result()
            if not (follow_up or steered or self._take_steered()):
                return

    async def _sample(self, entry: CatalogEntry) -> bool:
        """One response, retried while it breaks off; whether the model must be asked again."""
        retries = self.services.provider.stream_max_retries
        attempt = 0
        while True:
            try:
                return await self._attempt(entry)
            except ModelFailure as failure:
                if not failure.retryable or attempt >= retries:
                    raise
                attempt += 1
                error = TurnError(
                    message=f"Reconnecting... {attempt}/{retries}",
                    codex_error_info=failure.retry_info,
                    additional_details=failure.details,
                )
                self.notify(
                    ErrorNotification(
                        error=error, will_retry=True, thread_id=self.state.id, turn_id=self.turn.id
                    )
                )
                await asyncio.sleep(
                    failure.delay if failure.delay is not None else backoff(attempt)
                )

    async def _attempt(self, entry: CatalogEntry) -> bool:
        services = self.services
        body = request_body.body(self.state, entry)
        headers = request_body.headers(
            self.state, self.turn.id, services.originator(), services.user_agent()
        )
        self._events = events = ResponseEvents(
            self.state, self.turn, self.rollout, self.notify, self._run_tool, self.items
        )
        opened = await services.client.open(body, headers)
        try:
            async for event in sse.events(opened.lines()):
                await events.handle(event)
                kind = event.get("type")
                if kind == "response.failed":
                    raise from_failed_event(event.get("response"))
                if kind == "response.completed":
                    response = event.get("response")
                    if not isinstance(response, dict) or not response.get("id"):
                        raise stream_cut("failed to parse ResponseCompleted: missing field `id`")
                    break
            else:
                raise stream_cut(CLOSED_EARLY)
        except ModelFailure as failure:
            self._token_count(opened.headers)
            if failure.context_full:
                self.state.tokens.fill_window()
                self._token_count(opened.headers)
            raise
        except (TurnCancelled, asyncio.CancelledError):
            if self.active.interrupted or not isinstance(sys.exc_info()[1], asyncio.CancelledError):
                self._token_count(opened.headers)  # the turn ends: its response is counted
            raise
        finally:
            opened.response.close()
        if events.usage is not None:
            self.state.tokens.add(events.usage)
        self._token_count(opened.headers)
        return events.follow_up

    async def _run_tool(self, call_id: str, arguments: str) -> str:
        scope = ToolScope(
            thread_id=self.state.id,
            turn_id=self.turn.id,
            cwd=self.state.cwd,
            policy=self.state.approval_policy,
            timeout=self.services.provider.exec_timeout_seconds,
            notify=self.notify,
            items=self.items,
            ask=self.services.ask,
            flags=self._flags,
            approved=self.state.approved,
        )
        return await exec_command(scope, call_id, arguments)

    # -- endings ---------------------------------------------------------------------------------

    def _end(self, view: TurnItemsView) -> None:
        self.notify(TurnCompletedNotification(thread_id=self.state.id, turn=self.turn.wire(view)))

    def _completed(self) -> None:
        self.turn.finish(TurnStatus.COMPLETED)
        last = next(
            (
                item.root.text
                for item in reversed(self.turn.items)
                if isinstance(item.root, i.AgentMessageItem)
            ),
            None,
        )
        self.rollout.event("task_complete", **self._times(), last_agent_message=last)
        self._status(ThreadStatus.idle())
        self._end(TurnItemsView.SUMMARY)

    def _aborted(self) -> None:
        """Shared by an interrupt and a shutdown: the turn is over, the model is told so."""
        self.turn.finish(TurnStatus.INTERRUPTED)
        self._remember(request_body.message("user", request_body.TURN_ABORTED))
        self.rollout.event("turn_aborted", **self._times(), reason="interrupted")

    def _interrupted(self) -> None:
        self._aborted()
        self._status(ThreadStatus.idle())
        self._end(TurnItemsView.NOT_LOADED)

    def _failed(self, error: TurnError) -> None:
        self.turn.finish(TurnStatus.FAILED, error)
        self.rollout.event("error", turn_id=self.turn.id, error=error.wire())
        self.rollout.event("task_complete", **self._times(), last_agent_message=None)
        self._status(ThreadStatus.system_error())
        self.notify(
            ErrorNotification(
                error=error, will_retry=False, thread_id=self.state.id, turn_id=self.turn.id
            )
        )
        self._end(TurnItemsView.NOT_LOADED)

    def _times(self) -> dict[str, Any]:
        return {
            "turn_id": self.turn.id,
            "started_at": self.turn.started_at,
            "completed_at": self.turn.completed_at,
            "duration_ms": self.turn.duration_ms,
        }


def _other() -> CodexErrorInfo:
    return CodexErrorInfo("other")
