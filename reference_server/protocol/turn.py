"""Turns: ``turn/start``, ``turn/interrupt``, the turn object, how a turn fails, and
the notifications of a turn's life (started, completed, errors, token usage)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, GetJsonSchemaHandler, RootModel

from .base import ServerModel, WireModel
from .items import ThreadItem, UserInput
from .policy import AskForApproval

# -- errors -----------------------------------------------------------------------------------


class CodexErrorInfo(RootModel[str | dict[str, dict[str, Any]]]):
    """Why a turn failed, camelCase: ``"contextWindowExceeded"``, ``"other"``, or one key
    holding the HTTP status (``{"httpConnectionFailed": {"httpStatusCode": 404}}``)."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def http(cls, kind: str, status: int | None) -> CodexErrorInfo:
        return cls({kind: {"httpStatusCode": status}})

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: GetJsonSchemaHandler) -> Any:
        """Upstream's shape: the codes, the kinds that carry an HTTP status, and anything
        else a newer server may send (a client must not choke on it)."""

        def carrying(kind: str, title: str) -> dict[str, Any]:
            status = {"format": "uint16", "minimum": 0.0, "type": ["integer", "null"]}
            return {
                "additionalProperties": False,
                "properties": {kind: {"properties": {"httpStatusCode": status}, "type": "object"}},
                "required": [kind],
                "title": title,
                "type": "object",
            }

        return {
            "anyOf": [
                {"enum": list(CODES), "type": "string"},
                carrying("httpConnectionFailed", "HttpConnectionFailedCodexErrorInfo"),
                carrying(
                    "responseStreamConnectionFailed",
                    "ResponseStreamConnectionFailedCodexErrorInfo",
                ),
                carrying("responseStreamDisconnected", "ResponseStreamDisconnectedCodexErrorInfo"),
                carrying(
                    "responseTooManyFailedAttempts",
                    "ResponseTooManyFailedAttemptsCodexErrorInfo",
                ),
                {
                    "additionalProperties": False,
                    "properties": {
                        "activeTurnNotSteerable": {
                            "properties": {
                                "turnKind": {"enum": ["review", "compact"], "type": "string"}
                            },
                            "required": ["turnKind"],
                            "type": "object",
                        }
                    },
                    "required": ["activeTurnNotSteerable"],
                    "title": "ActiveTurnNotSteerableCodexErrorInfo",
                    "type": "object",
                },
                {"type": ["string", "object"]},
            ]
        }


#: The codes 0.163.0 names.
CODES = (
    "contextWindowExceeded",
    "sessionBudgetExceeded",
    "usageLimitExceeded",
    "rateLimitExceeded",
    "flexUnavailable",
    "serverOverloaded",
    "cyberPolicy",
    "misalignmentPolicyViolation",
    "tooManyDenials",
    "internalServerError",
    "unauthorized",
    "badRequest",
    "threadRollbackFailed",
    "sandboxError",
    "other",
)


class TurnError(ServerModel):
    message: str
    codex_error_info: CodexErrorInfo | None = None
    additional_details: str | None = None
    misalignment: dict[str, Any] | None = None


# -- the turn ----------------------------------------------------------------------------------


class TurnStatus(StrEnum):
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    IN_PROGRESS = "inProgress"


class TurnItemsView(StrEnum):
    NOT_LOADED = "notLoaded"
    SUMMARY = "summary"
    FULL = "full"


class Turn(ServerModel):
    id: str
    root_turn_id: str | None = None
    items: list[ThreadItem] = Field(default_factory=list)
    items_view: TurnItemsView = TurnItemsView.FULL
    status: TurnStatus
    error: TurnError | None = None
    started_at: int | None = None
    completed_at: int | None = None
    duration_ms: int | None = None


# -- turn/start, turn/interrupt -------------------------------------------------------------


class TurnStartParams(WireModel):
    thread_id: str
    input: list[UserInput]
    cwd: str | None = Field(default=None, description="Working directory for this turn on.")
    approval_policy: AskForApproval | None = None
    model: str | None = Field(default=None, description="Model for this turn on.")
    effort: str | None = Field(default=None, description="Reasoning effort for this turn on.")


class TurnStartResponse(ServerModel):
    turn: Turn


class TurnInterruptParams(WireModel):
    thread_id: str
    turn_id: str


class TurnInterruptResponse(ServerModel):
    pass


# -- notifications ------------------------------------------------------------------------------


class TurnStartedNotification(ServerModel):
    thread_id: str
    turn: Turn


class TurnCompletedNotification(ServerModel):
    thread_id: str
    turn: Turn


class ErrorNotification(ServerModel):
    """A turn's error: ``willRetry`` while the request is being retried, then once final."""

    error: TurnError
    will_retry: bool
    thread_id: str
    turn_id: str


class TokenUsageBreakdown(ServerModel):
    total_tokens: int
    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int = 0
    output_tokens: int
    reasoning_output_tokens: int


class ThreadTokenUsage(ServerModel):
    total: TokenUsageBreakdown
    last: TokenUsageBreakdown
    model_context_window: int | None = None


class ThreadTokenUsageUpdatedNotification(ServerModel):
    thread_id: str
    turn_id: str
    token_usage: ThreadTokenUsage
