"""The threads of one connection: starting, resuming and finding them, starting and
interrupting their turns. The handlers in :mod:`reference_server.handlers.thread` and
:mod:`reference_server.handlers.turn` are thin wrappers over this.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Any

from ..backend_client import BackendClient
from ..credentials import Credentials
from ..errors import InvalidRequest
from ..jsonrpc import Ask
from ..protocol import items as i
from ..protocol.base import WireModel
from ..protocol.policy import ApprovalsReviewer, AskForApproval, SandboxMode
from ..protocol.turn import Turn, TurnItemsView, TurnStatus
from ..settings import Settings
from . import request_body
from .catalog import Catalog
from .ids import check_thread_id, uuid7
from .model_client import ModelClient
from .provider import Provider
from .rollout import Rollout, find_rollout, load, rollout_path
from .thread_state import ActiveTurn, ThreadState, TurnInput, TurnRecord
from .turn_runner import TurnRunner, TurnServices

DEFAULT_POLICY = "on-request"


class Threads:
    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        backend: BackendClient,
        client_name: Callable[[], str],
        user_agent: Callable[[], str],
        notify: Callable[[WireModel], None],
        ask: Ask,
    ) -> None:
        self.settings = settings
        self.client_name = client_name
        provider = Provider.load(settings)
        self.client = ModelClient(settings, provider, credentials, backend, ask)
        self.catalog = Catalog(backend, credentials, self.client)
        self.services = TurnServices(
            client=self.client,
            catalog=self.catalog,
            provider=provider,
            notify=notify,
            ask=lambda question: ask(question, None),
            originator=client_name,
            user_agent=user_agent,
        )
        self._loaded: dict[str, ThreadState] = {}
        self._rollouts: dict[str, Rollout] = {}

    # -- threads ---------------------------------------------------------------------------

    async def default_model(self) -> str:
        return (await self.catalog.entries())[0].slug

    async def start(
        self,
        *,
        cwd: str | None,
        model: str | None,
        approval_policy: AskForApproval | None,
        approvals_reviewer: ApprovalsReviewer | None,
        sandbox: SandboxMode | None,
        base_instructions: str | None = None,
        developer_instructions: str | None = None,
        ephemeral: bool = False,
    ) -> ThreadState:
        thread_id = uuid7()
        home = self.settings.codex_home
        state = ThreadState(
            id=thread_id,
            cwd=absolute(cwd),
            model=model or await self.default_model(),
            path=None if ephemeral else rollout_path(home, thread_id),
            approval_policy=approval_policy or AskForApproval.model_validate(DEFAULT_POLICY),
            approvals_reviewer=approvals_reviewer or ApprovalsReviewer.USER,
            sandbox=sandbox or SandboxMode.READ_ONLY,
            originator=self.client_name(),
            base_instructions=base_instructions,
            developer_instructions=developer_instructions,
        )
        self._loaded[thread_id] = state
        rollout = self._rollouts[thread_id] = Rollout(state.path)
        rollout.session(state)
        return state

    def loaded(self, thread_id: str) -> ThreadState | None:
        return self._loaded.get(check_thread_id(thread_id))

    def stored(self, thread_id: str) -> ThreadState | None:
        """A thread that is not loaded, as its rollout describes it (``None``: no rollout)."""
        path = find_rollout(self.settings.codex_home, check_thread_id(thread_id))
        if path is None:
            return None
        try:
            return load(path, check_thread_id(thread_id))
        except (OSError, ValueError) as exc:
            raise InvalidRequest(f"failed to load rollout `{path}`: {exc}") from exc

    async def resume(self, thread_id: str) -> ThreadState:
        """The loaded thread, or the one its rollout describes."""
        thread_id = check_thread_id(thread_id, "session")
        state = self._loaded.get(thread_id)
        if state is not None:
            return state
        path = find_rollout(self.settings.codex_home, thread_id)
        if path is None:
            raise InvalidRequest(f"no rollout found for thread id {thread_id}")
        try:
            state = load(path, thread_id)
        except (OSError, ValueError) as exc:
            raise InvalidRequest(f"failed to load rollout `{path}`: {exc}") from exc
        state.model = state.model or await self.default_model()
        self._loaded[thread_id] = state
        self._rollouts[thread_id] = Rollout(path)
        return state

    # -- turns -------------------------------------------------------------------------------

    def start_turn(self, state: ThreadState, parts: list[i.UserInput]) -> tuple[Turn, Any]:
        """The turn to answer with, and what starts it once the answer is out (``None``
        when the input joined the turn already running)."""
        given = TurnInput(parts, request_body.user_message(parts, state.cwd))
        if state.active is not None:
            state.active.steered.append(given)
            state.active.wake.set()
            return _pending(state.active.record.id), None
        record = TurnRecord(uuid7())
        active = state.active = ActiveTurn(record)
        state.turns.append(record)
        runner = TurnRunner(state, active, self._rollouts[state.id], self.services)

        def begin() -> None:
            active.task = asyncio.ensure_future(runner.run(given))

        return _pending(record.id), begin

    def interrupt(self, state: ThreadState, turn_id: str) -> None:
        active = state.active
        if active is None or active.record.id != turn_id:
            raise InvalidRequest("no active turn to interrupt")
        active.interrupted = True
        if active.task is not None:
            active.task.cancel()

    async def close(self) -> None:
        """Turns still running end here (their commands killed, their rollouts closed)."""
        tasks = [s.active.task for s in self._loaded.values() if s.active and s.active.task]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.close()


def _pending(turn_id: str) -> Turn:
    """How ``turn/start`` shows a turn: in progress, nothing loaded, not started yet."""
    return Turn(
        id=turn_id,
        root_turn_id=turn_id,
        items=[],
        items_view=TurnItemsView.NOT_LOADED,
        status=TurnStatus.IN_PROGRESS,
    )


def absolute(cwd: str | None) -> str:
    """A working directory as given, made absolute against the server's own."""
    return os.path.normpath(os.path.join(os.getcwd(), cwd or "."))
