"""Threads: ``thread/start``, ``thread/resume``, ``thread/read``, the thread object and
its status (policies: :mod:`.policy`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from .base import ServerModel, WireModel
from .policy import ApprovalsReviewer, AskForApproval, SandboxMode, SandboxPolicy
from .turn import Turn

# -- the thread ---------------------------------------------------------------------------------


class ThreadActiveFlag(StrEnum):
    WAITING_ON_APPROVAL = "waitingOnApproval"
    WAITING_ON_USER_INPUT = "waitingOnUserInput"


class NotLoadedThreadStatus(ServerModel):
    model_config = ConfigDict(title="NotLoadedThreadStatus")

    type: Literal["notLoaded"] = "notLoaded"


class IdleThreadStatus(ServerModel):
    model_config = ConfigDict(title="IdleThreadStatus")

    type: Literal["idle"] = "idle"


class SystemErrorThreadStatus(ServerModel):
    model_config = ConfigDict(title="SystemErrorThreadStatus")

    type: Literal["systemError"] = "systemError"


class ActiveThreadStatus(ServerModel):
    model_config = ConfigDict(title="ActiveThreadStatus")

    type: Literal["active"] = "active"
    active_flags: list[ThreadActiveFlag] = Field(default_factory=list)


class ThreadStatus(
    RootModel[
        Annotated[
            NotLoadedThreadStatus | IdleThreadStatus | SystemErrorThreadStatus | ActiveThreadStatus,
            Field(discriminator="type"),
        ]
    ]
):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def idle(cls) -> ThreadStatus:
        return cls(IdleThreadStatus())

    @classmethod
    def active(cls, *flags: ThreadActiveFlag) -> ThreadStatus:
        return cls(ActiveThreadStatus(active_flags=list(flags)))

    @classmethod
    def system_error(cls) -> ThreadStatus:
        return cls(SystemErrorThreadStatus())


class ThreadHistoryMode(StrEnum):
    LEGACY = "legacy"
    PAGINATED = "paginated"


class ThreadEnvironment(ServerModel):
    environment_id: str = "local"
    cwd: str
    runtime_workspace_roots: list[str]


class SessionSource(StrEnum):
    CLI = "cli"
    VSCODE = "vscode"
    EXEC = "exec"
    APP_SERVER = "appServer"
    UNKNOWN = "unknown"


class Thread(ServerModel):
    id: str
    environments: list[ThreadEnvironment] | None = None
    extra: None = None
    session_id: str
    forked_from_id: str | None = None
    parent_thread_id: str | None = None
    preview: str = ""
    ephemeral: bool = False
    section: dict[str, Any] | None = None
    section_entered_at: int | None = None
    project_id: str | None = None
    history_mode: ThreadHistoryMode = ThreadHistoryMode.PAGINATED
    model_provider: str
    model: str | None = None
    reasoning_effort: str | None = None
    created_at: int
    updated_at: int
    recency_at: int | None = None
    status: ThreadStatus
    path: str | None = None
    cwd: str
    cli_version: str
    originator: str | None = None
    source: SessionSource = SessionSource.VSCODE
    can_accept_direct_input: bool | None = None
    thread_source: str | None = None
    agent_nickname: str | None = None
    agent_role: str | None = None
    git_info: dict[str, Any] | None = None
    name: str | None = None
    daybreak_enabled: None = None
    turns: list[Turn] = Field(
        default_factory=list,
        description="Filled by thread/resume and thread/read (includeTurns); empty elsewhere.",
    )


# -- thread/start -------------------------------------------------------------------------------


class ThreadStartParams(WireModel):
    approval_policy: AskForApproval | None = None
    approvals_reviewer: ApprovalsReviewer | None = None
    base_instructions: str | None = None
    cwd: str | None = None
    developer_instructions: str | None = None
    ephemeral: bool | None = None
    model: str | None = None
    model_provider: str | None = None
    sandbox: SandboxMode | None = None
    service_tier: str | None = None


class ThreadSettingsAnswer(ServerModel):
    """What thread/start and thread/resume both answer: the thread and the settings its
    turns will run with. Not a wire type of its own (each answer keeps its title)."""

    thread: Thread
    model: str
    model_provider: str
    service_tier: str | None = None
    disabled_plugin_ids: list[str] = Field(default_factory=list)
    cwd: str
    runtime_workspace_roots: list[str] = Field(default_factory=list)
    instruction_sources: list[str] = Field(default_factory=list)
    approval_policy: AskForApproval
    approvals_reviewer: ApprovalsReviewer
    sandbox: SandboxPolicy
    active_permission_profile: None = None
    reasoning_effort: str | None = None
    multi_agent_mode: str = "explicitRequestOnly"


class ThreadStartResponse(ThreadSettingsAnswer):
    pass


class ThreadStartedNotification(ServerModel):
    thread: Thread


class ThreadStatusChangedNotification(ServerModel):
    thread_id: str
    status: ThreadStatus


# -- thread/resume, thread/read ---------------------------------------------------------------


class ThreadResumeParams(WireModel):
    thread_id: str
    approval_policy: AskForApproval | None = None
    approvals_reviewer: ApprovalsReviewer | None = None
    cwd: str | None = None
    model: str | None = None
    sandbox: SandboxMode | None = None
    exclude_turns: bool = Field(default=False, description="Answer without `thread.turns`.")


class ThreadResumeResponse(ThreadSettingsAnswer):
    turns_backwards_cursor: str | None = None
    items_backwards_cursor: str | None = None


class ThreadReadParams(WireModel):
    thread_id: str
    include_turns: bool = Field(default=False, description="Include turns and their items.")


class ThreadReadResponse(ServerModel):
    thread: Thread
