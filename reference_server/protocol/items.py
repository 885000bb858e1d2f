"""What a turn is made of: the user's input, the items a turn produces (``userMessage``,
``agentMessage``, ``reasoning``, ``commandExecution``), their notifications and deltas,
and the command approval the server asks the client for.

Upstream's ``ThreadItem`` has many more kinds (file changes, MCP calls, web searches...);
these are the ones the reference server produces. Fields of the kinds it produces that
belong to features it does not have are typed ``None``: they go out as ``null``, the
value 0.163.0 sends when the feature is off.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from .base import ServerModel, WireModel

# -- user input ---------------------------------------------------------------------------


class ByteRange(WireModel):
    start: int
    end: int


class TextElement(WireModel):
    byte_range: ByteRange
    placeholder: str | None = None


class TextUserInput(WireModel):
    model_config = ConfigDict(title="TextUserInput")

    type: Literal["text"]
    text: str
    # Upstream's wire name is snake_case here (it echoes ``text_elements: []``).
    text_elements: list[TextElement] = Field(default_factory=list, alias="text_elements")


class ImageDetail(StrEnum):
    AUTO = "auto"
    LOW = "low"
    HIGH = "high"
    ORIGINAL = "original"


class ImageUserInput(WireModel):
    model_config = ConfigDict(title="ImageUserInput")

    type: Literal["image"]
    url: str | None = None
    file_id: str | None = None
    detail: ImageDetail | None = None


class LocalImageUserInput(WireModel):
    model_config = ConfigDict(title="LocalImageUserInput")

    type: Literal["localImage"]
    path: str
    detail: ImageDetail | None = None


class AudioUserInput(WireModel):
    model_config = ConfigDict(title="AudioUserInput")

    type: Literal["audio"]
    url: str


class LocalAudioUserInput(WireModel):
    model_config = ConfigDict(title="LocalAudioUserInput")

    type: Literal["localAudio"]
    path: str


class SkillUserInput(WireModel):
    model_config = ConfigDict(title="SkillUserInput")

    type: Literal["skill"]
    name: str
    path: str


class MentionUserInput(WireModel):
    model_config = ConfigDict(title="MentionUserInput")

    type: Literal["mention"]
    name: str
    path: str


UserInputVariant = (
    TextUserInput
    | ImageUserInput
    | LocalImageUserInput
    | AudioUserInput
    | LocalAudioUserInput
    | SkillUserInput
    | MentionUserInput
)


class UserInput(RootModel[Annotated[UserInputVariant, Field(discriminator="type")]]):
    """One piece of what the user sends: text, an image, a file mention..."""

    model_config = ConfigDict(frozen=True)


# -- thread items ---------------------------------------------------------------------------


class UserMessageItem(ServerModel):
    model_config = ConfigDict(title="UserMessageThreadItem")

    type: Literal["userMessage"] = "userMessage"
    id: str
    client_id: str | None = None
    content: list[UserInput]


class MessagePhase(StrEnum):
    COMMENTARY = "commentary"
    PARTIAL_ANSWER = "partial_answer"
    FINAL_ANSWER = "final_answer"


class AgentMessageItem(ServerModel):
    model_config = ConfigDict(title="AgentMessageThreadItem")

    type: Literal["agentMessage"] = "agentMessage"
    id: str
    text: str
    phase: MessagePhase | None = None
    memory_citation: dict[str, Any] | None = None
    delivery: str | None = None
    questions: list[Any] | None = None


class ReasoningItem(ServerModel):
    model_config = ConfigDict(title="ReasoningThreadItem")

    type: Literal["reasoning"] = "reasoning"
    id: str
    summary: list[str] = Field(default_factory=list)
    content: list[str] = Field(default_factory=list)


class ReadCommandAction(ServerModel):
    model_config = ConfigDict(title="ReadCommandAction")

    type: Literal["read"]
    command: str
    name: str
    path: str


class ListFilesCommandAction(ServerModel):
    model_config = ConfigDict(title="ListFilesCommandAction")

    type: Literal["listFiles"]
    command: str
    path: str | None = None


class SearchCommandAction(ServerModel):
    model_config = ConfigDict(title="SearchCommandAction")

    type: Literal["search"]
    command: str
    query: str | None = None
    path: str | None = None


class UnknownCommandAction(ServerModel):
    model_config = ConfigDict(title="UnknownCommandAction")

    type: Literal["unknown"] = "unknown"
    command: str


class CommandAction(
    RootModel[
        Annotated[
            ReadCommandAction | ListFilesCommandAction | SearchCommandAction | UnknownCommandAction,
            Field(discriminator="type"),
        ]
    ]
):
    """What a command does, parsed for display (the reference server says ``unknown``)."""

    model_config = ConfigDict(frozen=True)


class CommandExecutionStatus(StrEnum):
    IN_PROGRESS = "inProgress"
    COMPLETED = "completed"
    FAILED = "failed"
    DECLINED = "declined"


class CommandExecutionSource(StrEnum):
    AGENT = "agent"
    USER_SHELL = "userShell"
    UNIFIED_EXEC_STARTUP = "unifiedExecStartup"
    UNIFIED_EXEC_INTERACTION = "unifiedExecInteraction"


class CommandExecutionItem(ServerModel):
    model_config = ConfigDict(title="CommandExecutionThreadItem")

    type: Literal["commandExecution"] = "commandExecution"
    id: str
    plugin_id: str | None = None
    script_path: str | None = None
    command: str
    cwd: str
    process_id: str | None = None
    source: CommandExecutionSource = CommandExecutionSource.AGENT
    status: CommandExecutionStatus
    command_actions: list[CommandAction]
    aggregated_output: str | None = None
    exit_code: int | None = None
    duration_ms: int | None = None


ThreadItemVariant = UserMessageItem | AgentMessageItem | ReasoningItem | CommandExecutionItem


class ThreadItem(RootModel[Annotated[ThreadItemVariant, Field(discriminator="type")]]):
    """One thing that happened in a turn."""

    model_config = ConfigDict(frozen=True)


# -- item notifications ---------------------------------------------------------------------


class ItemStartedNotification(ServerModel):
    item: ThreadItem
    thread_id: str
    turn_id: str
    started_at_ms: int


class ItemCompletedNotification(ServerModel):
    item: ThreadItem
    thread_id: str
    turn_id: str
    completed_at_ms: int


class AgentMessageDeltaNotification(ServerModel):
    thread_id: str
    turn_id: str
    item_id: str
    delta: str


class ReasoningSummaryPartAddedNotification(ServerModel):
    thread_id: str
    turn_id: str
    item_id: str
    summary_index: int


class ReasoningSummaryTextDeltaNotification(ServerModel):
    thread_id: str
    turn_id: str
    item_id: str
    delta: str
    summary_index: int


class CommandExecutionOutputDeltaNotification(ServerModel):
    thread_id: str
    turn_id: str
    item_id: str
    delta: str


# -- the approval server request ------------------------------------------------------------


class CommandExecutionRequestApprovalParams(ServerModel):
    """``item/commandExecution/requestApproval``: may this command run?

    ``availableDecisions`` is what 0.163.0 offers; the client may still answer with any
    decision of the schema (``decline`` included).
    """

    kind: Literal["command"] = "command"
    thread_id: str
    turn_id: str
    item_id: str
    started_at_ms: int
    environment_id: str | None = None
    command: str | None = None
    cwd: str | None = None
    command_actions: list[CommandAction] | None = None
    proposed_execpolicy_amendment: list[str] | None = None
    available_decisions: list[Any] | None = None


class CommandExecutionRequestApprovalResponse(WireModel):
    #: ``accept``, ``acceptForSession``, ``decline``, ``cancel``, or an object
    #: (``{"acceptWithExecpolicyAmendment": ...}``, ``{"applyNetworkPolicyAmendment": ...}``).
    decision: str | dict[str, Any]


class ServerRequestResolvedNotification(ServerModel):
    """Sent once the client has answered a server request that belongs to a thread."""

    thread_id: str
    request_id: str | int
