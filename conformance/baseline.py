"""Known deviations of one server, declared with reasons: expected failures, strictly.

A baseline file (YAML) lists scenarios a server is known to fail and why::

    server: codex 0.133.0
    entries:
      - scenario: device-code-workspace-check-failed
        reason: 0.133.0 does not check the workspace after the token exchange
        match: account/login/completed     # optional: the failure must mention this

A listed scenario that fails (every failure mentioning ``match``, when given) is
reported ``xfailed`` with the reason. One that passes is reported ``failed``: the
entry is stale and must go, as with a strict xfail.

A release's race shows in some runs only (0.133.0 reports a command's end after its turn's
end, or before it, depending on which task wins): ``intermittent: true`` says so. Such an
entry expects the failure it describes when it comes, and a pass is reported ``passed``
with the entry's reason beside it, never stale: a CI gate must not turn red on a coin toss,
and a deviation hidden on the good runs would be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_backend.validation_text import validation_text

from .results import Failure, ScenarioResult


class BaselineEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str
    reason: str = Field(min_length=10, description="Why this server fails it; shown in reports.")
    match: str | None = Field(default=None, description="Text every failure must contain.")
    intermittent: bool = Field(
        default=False,
        description="The deviation is a race that shows in some runs only: a pass is not stale.",
    )


class BaselineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    server: str = Field(description="Which server (and version) the entries describe.")
    entries: list[BaselineEntry] = Field(default_factory=list)


#: How a pass of an intermittent entry's scenario is labelled in reports.
INTERMITTENT_NOT_SEEN = "intermittent deviation not seen this run"

#: The baselines the kit ships, one per release the project's CI holds to them.
BASELINES = Path(__file__).resolve().parent / "baselines"


class BaselineError(ValueError):
    """A baseline file cannot be used."""


def packaged() -> list[str]:
    """The names of the packaged baselines (``codex-0.163.0`` ...)."""
    return sorted(path.stem for path in BASELINES.glob("*.yaml"))


@dataclass
class Baseline:
    server: str = ""
    entries: dict[str, BaselineEntry] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def empty(cls) -> Baseline:
        return cls()

    @classmethod
    def find(cls, name_or_path: str) -> Baseline:
        """A baseline file, or a packaged one by name (a file of that name comes first)."""
        path = Path(name_or_path)
        if not path.exists():
            if name_or_path not in packaged():
                raise BaselineError(
                    f"{name_or_path}: no such file, nor a packaged baseline "
                    f"({', '.join(packaged())})"
                )
            path = BASELINES / f"{name_or_path}.yaml"
        return cls.load(path)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            parsed = BaselineFile.model_validate(data)
        except (OSError, yaml.YAMLError) as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc}") from exc
        except ValidationError as exc:
            raise BaselineError(f"{path}: {validation_text(exc)}") from None
        entries: dict[str, BaselineEntry] = {}
        for entry in parsed.entries:
            if entry.scenario in entries:
                raise BaselineError(f"{path}: {entry.scenario} is listed twice")
            entries[entry.scenario] = entry
        return cls(parsed.server, entries, str(path))

    def unknown(self, scenario_ids: set[str]) -> list[str]:
        """Entries naming scenarios that do not exist (misspelt or removed)."""
        return sorted(set(self.entries) - scenario_ids)

    def judge(self, result: ScenarioResult) -> ScenarioResult:
        entry = self.entries.get(result.id)
        if entry is None or result.outcome == "skipped":
            return result
        if result.outcome == "passed" and entry.intermittent:
            return replace(result, reason=f"{INTERMITTENT_NOT_SEEN}: {entry.reason}")
        if result.outcome == "passed":
            stale = Failure(
                "kit",
                "stale",
                f"the baseline ({self.source or self.server}) expects this scenario to fail "
                f"({entry.reason}), but it passed: remove the entry",
            )
            return replace(result, outcome="failed", failures=[stale], reason=entry.reason)
        unexplained = [
            f for f in result.failures if entry.match is not None and entry.match not in str(f)
        ]
        if unexplained:
            return replace(
                result,
                reason=f"baseline entry matches only failures mentioning {entry.match!r}",
            )
        return replace(result, outcome="xfailed", reason=entry.reason)
