"""Scripted outcomes: what the backend does with the next device codes.

A script says how a code ends (approved, denied, ...) and after how many polls
or seconds of pending. A tenant's plan is a queue of scripts, each for a number
of codes, then a default for every code after that. Codes nobody scripted stay
pending until a person (the approval page) or a test (the control API) decides.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .model.scenario import ModelScenario
from .personas import PersonaFields


class Outcome(StrEnum):
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
USERCODE_OUTCOMES = frozenset({Outcome.POLICY_DISABLED})


class Script(BaseModel):
    """How one device code (or browser login) ends."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    outcome: Outcome = Field(description="How the login ends.")
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
            self.outcome is Outcome.SERVER_ERROR and self.stage == "usercode"
        )


PENDING = Script(outcome=Outcome.PENDING)


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


class ScenarioFile(BaseModel):
    """A ``--scenario FILE``: tenant settings and the plan, in YAML or JSON."""

    model_config = ConfigDict(extra="forbid")

    interval: int | None = Field(default=None, ge=0, le=3600)
    expires_in: int | None = Field(default=None, ge=1, le=86_400)
    scripts: list[ScriptRequest] = Field(default_factory=list)
    default: Script | None = None
    model: ModelScenario | None = Field(
        default=None, description="Scripted model responses, catalog and websocket setting."
    )

    @model_validator(mode="after")
    def _counts(self) -> ScenarioFile:
        for entry in self.scripts:
            if entry.count is None:
                entry.count = 1
        return self

    def apply(self, plan: Plan) -> None:
        plan.clear()
        for entry in self.scripts:
            plan.append(entry)
        if self.default is not None:
            plan.default = self.default


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message says where and why."""


def load_scenario(path: Path) -> ScenarioFile:
    import yaml
    from pydantic import ValidationError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML or JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping at the top level")
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ScenarioError(f"{path}: invalid scenario\n" + "\n".join(lines)) from exc
