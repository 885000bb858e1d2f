"""``--scenario FILE``: a tenant's settings and plan of scripts, written in YAML or JSON.

Named ``BackendScenario`` so that it is never confused with a conformance scenario
(``conformance.scenario``), which drives a whole app-server session.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .model.scenario import ModelScenario
from .scripts import Plan, Script, ScriptRequest
from .validation_text import dotted, validation_text


class BackendScenario(BaseModel):
    """A ``--scenario FILE``: tenant settings and the plan, in YAML or JSON."""

    model_config = ConfigDict(extra="forbid")

    interval: int | None = Field(default=None, ge=0, le=3600)
    expires_in: int | None = Field(default=None, ge=1, le=86_400)
    scripts: list[ScriptRequest] = Field(default_factory=list)
    default: Script | None = None
    model: ModelScenario | None = Field(
        default=None, description="Scripted model responses, catalog and model settings."
    )

    @model_validator(mode="after")
    def _counts(self) -> BackendScenario:
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


def load_scenario(path: Path) -> BackendScenario:
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
        return BackendScenario.model_validate(data)
    except ValidationError as exc:
        text = validation_text(exc, lambda error: f"  {dotted(error, '(top)')}", "\n")
        raise ScenarioError(f"{path}: invalid scenario\n{text}") from exc
