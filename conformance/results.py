"""What a scenario run found: failures with whose fault they are, warnings, the outcome.

``fault`` names who must fix it: ``server`` (the implementation under test broke the
protocol), ``kit`` (a scenario or the kit itself is wrong) or ``environment`` (the
server could not be started, the backend could not be scripted). A warning fails
nothing: it is something the schema does not declare (a field, a method) that the
server sent anyway, i.e. a gap in that release's schema.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Fault = Literal["server", "kit", "environment"]
Kind = Literal[
    "schema",  # a message does not validate
    "mismatch",  # a value differs from the scenario's expectation
    "ordering",  # messages in an order the protocol forbids
    "protocol",  # JSON-RPC rules: unknown ids, duplicate answers, bad envelopes
    "garbage",  # a line on stdout that is not JSON
    "hang",  # nothing arrived in time
    "crash",  # the server ended
    "unexpected",  # something arrived that must not
    "setup",  # the scenario could not be run
    "stale",  # a baseline entry expects a failure that no longer happens
]
Outcome = Literal["passed", "failed", "xfailed", "skipped"]
WarningKind = Literal["undeclared-field", "undeclared-method"]
Direction = Literal["in", "out"]
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Failure:
    fault: Fault
    kind: Kind
    message: str
    step: str | None = None
    #: The protocol rule broken (``login-order``), for findings of ``conformance.rules``.
    rule: str | None = None

    def __str__(self) -> str:
        where = f" [{self.step}]" if self.step else ""
        return f"{self.heading}{where}: {self.message}"

    @property
    def heading(self) -> str:
        """Whose fault, what kind, which rule: ``server fault, ordering (rule login-order)``."""
        rule = f" (rule {self.rule})" if self.rule else ""
        return f"{self.fault} fault, {self.kind}{rule}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SchemaWarning:
    """Something a message carries that the schema does not declare."""

    kind: WarningKind
    method: str
    schema_type: str  # the type (or envelope type) that does not declare it
    path: str  # JSON path in the message, e.g. "$.result.workspaceRouting"
    message: str
    direction: Direction = "in"  # "out": the kit sent it
    part: str = "params"  # params, result, envelope (the message itself) or method

    def __str__(self) -> str:
        sender = "the kit sent" if self.direction == "out" else "the server sent"
        return f"{sender} {self.method}: at {self.path}: {self.message}"

    @property
    def gap(self) -> tuple[str, str, str, str]:
        """What identifies one gap across messages: array indices do not count, nor the
        method of an envelope member (``emittedAtMs`` is one gap, not one per method)."""
        method = "*" if self.part == "envelope" else self.method
        return (self.direction, method, self.schema_type, _INDEX.sub("[*]", self.path))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScenarioResult:
    id: str
    outcome: Outcome
    duration: float
    failures: list[Failure] = field(default_factory=list)
    #: Why skipped; the baseline's reason for an expected failure, or for an intermittent
    #: one that did not show this run.
    reason: str | None = None
    title: str = ""
    messages: int = 0
    warnings: list[SchemaWarning] = field(default_factory=list)
    validation_seconds: float = 0.0
    #: The conversation of a failed scenario (the last lines, both ways), to see why.
    transcript: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "outcome": self.outcome,
            "duration": round(self.duration, 3),
            "failures": [f.to_json() for f in self.failures],
            "reason": self.reason,
            "messages": self.messages,
            "warnings": [w.to_json() for w in self.warnings],
            "validation_seconds": round(self.validation_seconds, 4),
            "transcript": self.transcript,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScenarioResult:
        return cls(
            id=data["id"],
            outcome=data["outcome"],
            duration=float(data["duration"]),
            failures=[Failure(**f) for f in data.get("failures", [])],
            reason=data.get("reason"),
            title=data.get("title", ""),
            messages=int(data.get("messages", 0)),
            warnings=[SchemaWarning(**w) for w in data.get("warnings", [])],
            validation_seconds=float(data.get("validation_seconds", 0.0)),
            transcript=list(data.get("transcript", [])),
        )

    def explain(self) -> str:
        lines = [f"scenario {self.id}: {self.outcome}"]
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        lines.extend(f"  - {failure}" for failure in self.failures)
        if self.transcript:
            lines.append(f"  transcript (last {len(self.transcript)} lines):")
            lines.extend(f"    {line}" for line in self.transcript)
        return "\n".join(lines)
