"""Scripted outcomes: what the backend does with the next device codes.

A script says how a code ends (approved, denied, ...) and after how many polls
or seconds of pending. A tenant's plan is a queue of scripts, each for a number
of codes, then a default for every code after that. Codes nobody scripted stay
pending until a person (the approval page) or a test (the control API) decides.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .personas import PersonaFields


class LoginOutcome(StrEnum):
    """How a scripted login ends; the values are the control API's ``outcome`` strings."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    SLOW_DOWN = "slow_down"
    POLICY_DISABLED = "policy_disabled"
    SERVER_ERROR = "server_error"
    TOKEN_EXCHANGE_FAILURE = "token_exchange_failure"
    WORKSPACE_CHECK_FAILURE = "workspace_check_failure"


#: Outcomes decided when the code is requested (usercode), not when it is polled.
USERCODE_OUTCOMES = frozenset({LoginOutcome.POLICY_DISABLED})


class Script(BaseModel):
    """How one device code (or browser login) ends."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    outcome: LoginOutcome = Field(description="How the login ends.")
    after_polls: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Polls answered 'pending' before the outcome (0: the first poll decides).",
    )
    after_seconds: float = Field(
        default=0.0,
        ge=0,
        le=86_400,
        description="Seconds (on the backend clock) the code stays pending before the outcome.",
    )
    stage: Literal["usercode", "poll"] = Field(
        default="poll",
        description="For server_error: fail the usercode request or the poll.",
    )
    status: int | None = Field(
        default=None,
        ge=400,
        le=599,
        description="HTTP status of the failure (server_error, token_exchange_failure, "
        "workspace_check_failure); a sensible default otherwise.",
    )
    persona: PersonaFields | None = Field(
        default=None, description="Who approves (approved and the failures after approval)."
    )

    @property
    def decided_at_usercode(self) -> bool:
        return self.outcome in USERCODE_OUTCOMES or (
            self.outcome is LoginOutcome.SERVER_ERROR and self.stage == "usercode"
        )


PENDING = Script(outcome=LoginOutcome.PENDING)


class ScriptRequest(Script):
    """Body of ``PUT``/``POST /_mock/script``: a script, for ``count`` codes or for all."""

    count: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Apply to this many next codes; omitted: to every next code.",
    )

    def script(self) -> Script:
        return Script.model_validate(self.model_dump(exclude={"count"}))


class PlanEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    script: Script
    remaining: int = Field(ge=0)


class Plan:
    """The queue of scripts of one tenant and its default."""

    __slots__ = ("default", "queue")

    def __init__(self) -> None:
        self.queue: list[PlanEntry] = []
        self.default: Script = PENDING

    def replace(self, request: ScriptRequest) -> None:
        script = request.script()
        if request.count is None:
            self.queue = []
            self.default = script
        else:
            self.queue = [PlanEntry(script=script, remaining=request.count)]
            self.default = PENDING

    def append(self, request: ScriptRequest) -> None:
        self.queue.append(PlanEntry(script=request.script(), remaining=request.count or 1))

    def clear(self) -> None:
        self.queue = []
        self.default = PENDING

    def take(self) -> Script:
        """The script of the next code, consuming one use of the queue head."""
        if not self.queue:
            return self.default
        head = self.queue[0]
        head.remaining -= 1
        if head.remaining <= 0:
            self.queue.pop(0)
        return head.script

    def snapshot(self) -> dict[str, Any]:
        return {
            "queue": [
                {**e.script.model_dump(mode="json", exclude_none=True), "count": e.remaining}
                for e in self.queue
            ],
            "default": self.default.model_dump(mode="json", exclude_none=True),
        }
