"""A finished comparison: findings, stale ignore entries, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ignore import IgnoreEntry
from .model import Finding
from .rules import Level


@dataclass
class Report:
    old: str
    new: str
    findings: list[Finding]
    stale: list[IgnoreEntry] = field(default_factory=list)
    strict_experimental: bool = False

    def level(self, finding: Finding) -> Level:
        return finding.effective_level(self.strict_experimental)

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.ignored_by is None]

    def breaking(self) -> list[Finding]:
        return [f for f in self.active() if self.level(f) is Level.ERROR]

    def counts(self) -> dict[str, int]:
        counts = {level.name: 0 for level in Level}
        for finding in self.active():
            counts[self.level(finding).name] += 1
        counts["ignored"] = len(self.findings) - len(self.active())
        counts["stale"] = len(self.stale)
        return counts

    @property
    def passed(self) -> bool:
        return not self.breaking() and not self.stale
