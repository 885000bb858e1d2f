"""A thread as the server holds it: its settings, its turns (for ``thread/read`` and
``thread/resume``), the conversation the model is sent, and its token usage."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..protocol import items as i
from ..protocol.policy import ApprovalsReviewer, AskForApproval, SandboxMode
from ..protocol.thread import (
    NotLoadedThreadStatus,
    SessionSource,
    Thread,
    ThreadEnvironment,
    ThreadStatus,
)
from ..protocol.turn import Turn, TurnError, TurnItemsView, TurnStatus
from ..release import VERSION
from .usage import TokenCounter

PROVIDER = "openai"


@dataclass
class TurnRecord:
    id: str
    items: list[i.ThreadItem] = field(default_factory=list)
    status: TurnStatus = TurnStatus.IN_PROGRESS
    error: TurnError | None = None
    started_at: int | None = None
    completed_at: int | None = None
    duration_ms: int | None = None
    _began: float | None = field(default=None, repr=False, compare=False)

    def begin(self) -> None:
        self._began = time.time()
        self.started_at = int(self._began)

    def wire(self, view: TurnItemsView) -> Turn:
        """The turn as a message shows it: no items, a summary (agent messages), or all."""
        if view is TurnItemsView.FULL:
            shown = list(self.items)
        elif view is TurnItemsView.SUMMARY:
            shown = [item for item in self.items if isinstance(item.root, i.AgentMessageItem)]
        else:
            shown = []
        return Turn(
            id=self.id,
            root_turn_id=self.id,
            items=shown,
            items_view=view,
            status=self.status,
            error=self.error,
            started_at=self.started_at,
            completed_at=self.completed_at,
            duration_ms=self.duration_ms,
        )

    def finish(self, status: TurnStatus, error: TurnError | None = None) -> None:
        self.status = status
        self.error = error
        ended = time.time()
        self.completed_at = int(ended)
        if self._began is not None:
            self.duration_ms = max(0, int((ended - self._began) * 1000))


@dataclass(frozen=True)
class TurnInput:
    """What a ``turn/start`` sent, as the client wrote it and as the model is sent it
    (built once, when the request is answered: a kind the model cannot take is refused
    then, and a local image is read and encoded once)."""

    parts: list[i.UserInput]
    message: dict[str, Any]


@dataclass
class ActiveTurn:
    """A turn under way: its task, and input sent to it while it runs (``turn/start``
    on a busy thread steers the running turn, as 0.163.0 does)."""

    record: TurnRecord
    task: asyncio.Task[None] | None = None
    steered: list[TurnInput] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: Set by ``turn/interrupt``: the cancellation that follows is an interrupt.
    interrupted: bool = False


@dataclass
class ThreadState:
    id: str
    cwd: str
    model: str
    #: The rollout file; ``None`` for an ephemeral thread, which is never written down.
    path: Path | None
    approval_policy: AskForApproval
    approvals_reviewer: ApprovalsReviewer = ApprovalsReviewer.USER
    sandbox: SandboxMode = SandboxMode.READ_ONLY
    originator: str | None = None
    effort: str | None = None
    base_instructions: str | None = None
    developer_instructions: str | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    updated_at: int = field(default_factory=lambda: int(time.time()))
    preview: str = ""
    status: ThreadStatus = field(default_factory=ThreadStatus.idle)
    #: The conversation in the Responses API's item format, as the model is sent it.
    history: list[dict[str, Any]] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)
    tokens: TokenCounter = field(default_factory=TokenCounter)
    #: Commands the client accepted "for the session".
    approved: set[str] = field(default_factory=set)
    active: ActiveTurn | None = None

    @property
    def ephemeral(self) -> bool:
        """An ephemeral thread is one without a rollout."""
        return self.path is None

    def thread(self, with_turns: bool = False, loaded: bool = True) -> Thread:
        """The thread as messages show it; one read from its rollout without being loaded
        has status ``notLoaded`` and no environment."""
        environment = ThreadEnvironment(cwd=self.cwd, runtime_workspace_roots=[self.cwd])
        return Thread(
            id=self.id,
            environments=[environment] if loaded else None,
            session_id=self.id,
            preview=self.preview,
            ephemeral=self.ephemeral,
            model_provider=PROVIDER,
            model=self.model,
            reasoning_effort=self.effort,
            created_at=self.created_at,
            updated_at=self.updated_at,
            recency_at=self.updated_at,
            status=self.status if loaded else ThreadStatus(NotLoadedThreadStatus()),
            path=str(self.path) if self.path is not None else None,
            cwd=self.cwd,
            cli_version=VERSION,
            originator=self.originator,
            source=SessionSource.VSCODE,
            can_accept_direct_input=True if loaded else None,
            turns=[turn.wire(TurnItemsView.FULL) for turn in self.turns] if with_turns else [],
        )

    def touch(self) -> None:
        self.updated_at = int(time.time())
