"""What a matrix run found, and ``matrix.json``, the one document every view derives from.

The keys ``releases`` (each with ``version``, ``source``, ``scenarios``: id → outcome) and
``compat`` (each with ``from``, ``to``, ``errors``, ``warnings``) are a contract: CI jobs and
``--merge`` read them. Everything else (reasons, bundles, times) is added beside them.
A release that could not be run carries ``error`` (``fault: environment`` and why) and
no scenarios; the other releases are unaffected.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mock_backend.version import kit_version

from ..report import OUTCOMES
from ..versions import version_key
from .compat_steps import CompatStep

FORMAT = 1


def state(outcome: str | None) -> str:
    """What a release does, whatever the baselines say (``passes``, ``fails``, ``skipped``,
    ``absent``): a failure the packaged baseline of one release expects and the same
    failure of a release without a baseline are alike when releases are compared."""
    return {"passed": "passes", "failed": "fails", "xfailed": "fails"}.get(
        outcome or "", outcome or "absent"
    )


@dataclass
class ReleaseResult:
    version: str
    source: str | None = None  # "venv", "pypi", "npm"; None: the binary could not be had
    scenarios: dict[str, str] = field(default_factory=dict)  # id -> outcome
    #: id -> why: the first failures of a failed scenario, a baseline's or a skip's reason.
    reasons: dict[str, str] = field(default_factory=dict)
    error: dict[str, str] | None = None  # {"fault": "environment", "message": ...}
    published: str | None = None
    server_version: str | None = None
    schema: str | None = None
    baseline: str | None = None
    bundle: str | None = None  # "vendored", or the generated bundle's folder in the output
    schema_gaps: list[str] = field(default_factory=list)  # "method path", sent but undeclared
    seconds: dict[str, float] = field(default_factory=dict)  # fetch, run
    shards: list[str] = field(default_factory=list)  # "1/3" ...: runs merged into this one

    def counts(self) -> dict[str, int]:
        found = Counter(self.scenarios.values())
        return {outcome: found[outcome] for outcome in OUTCOMES}

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(
            scenarios=dict(sorted(self.scenarios.items())),
            reasons=dict(sorted(self.reasons.items())),
            summary=self.counts(),
            seconds={k: round(v, 2) for k, v in self.seconds.items()},
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReleaseResult:
        """Every field from its key; a missing or null list or mapping is empty."""
        found: dict[str, Any] = {"version": str(data["version"])}
        for f in fields(cls):
            if f.name in found:
                continue
            value = data.get(f.name)
            if callable(f.default_factory):  # a list or a dict: a copy of the right type
                value = type(f.default_factory())(value or ())
            found[f.name] = value
        return cls(**found)


@dataclass
class Matrix:
    releases: list[ReleaseResult] = field(default_factory=list)
    compat: list[CompatStep] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # scenario id -> title
    selection: str = ""
    warnings: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    #: The kit that ran it (a merge keeps the first shard's; they should agree).
    kit_version: str = field(default_factory=kit_version)

    def ordered(self) -> list[ReleaseResult]:
        return sorted(self.releases, key=lambda r: version_key(r.version))

    def scenario_ids(self) -> list[str]:
        """The scenarios some release ran (the whole catalog when none could run)."""
        found = {i for release in self.releases for i in release.scenarios}
        return sorted(found or self.titles)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "kit_version": self.kit_version,
            "selection": self.selection,
            "releases": [r.to_json() for r in self.ordered()],
            "compat": [step.to_json() for step in self.compat],
            "titles": dict(sorted(self.titles.items())),
            "warnings": self.warnings,
            "wall_seconds": round(self.wall_seconds, 1),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Matrix:
        return cls(
            releases=[ReleaseResult.from_json(r) for r in data.get("releases", [])],
            compat=[CompatStep.from_json(c) for c in data.get("compat", [])],
            titles=dict(data.get("titles") or {}),
            selection=str(data.get("selection", "")),
            warnings=list(data.get("warnings") or []),
            wall_seconds=float(data.get("wall_seconds", 0.0)),
            kit_version=str(data.get("kit_version", "")),
        )

    @classmethod
    def read(cls, path: Path) -> Matrix:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
