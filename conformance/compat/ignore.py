"""The ignore file: accepted findings, each with a reason, like a test baseline.

YAML or JSON: a list of ``{rule, path, reason}``; ``path`` may use ``*`` globs. An
entry that matches no finding any more is stale and reported (and fails the gate,
so the file never hides what it no longer needs to).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

from .loader import SchemaInputError
from .model import Finding


@dataclass(frozen=True)
class IgnoreEntry:
    rule: str
    path: str
    reason: str

    def matches(self, finding: Finding) -> bool:
        return finding.rule == self.rule and fnmatch.fnmatchcase(finding.path, self.path)

    @property
    def label(self) -> str:
        return f"{self.rule} {self.path}"


def load_ignores(path: Path) -> list[IgnoreEntry]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaInputError(f"ignore file {path}: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("ignore")
    if not isinstance(data, list):
        raise SchemaInputError(f"ignore file {path}: expected a list of {{rule, path, reason}}")
    entries = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("rule", "path", "reason")
        ):
            raise SchemaInputError(
                f"ignore file {path}: entry {index} needs rule, path and a reason "
                f"(got {json.dumps(item)})"
            )
        entries.append(IgnoreEntry(item["rule"], item["path"], item["reason"]))
    return entries


def apply_ignores(findings: list[Finding], entries: list[IgnoreEntry]) -> list[IgnoreEntry]:
    """Mark ignored findings; return the stale entries."""
    used: set[IgnoreEntry] = set()
    for finding in findings:
        for entry in entries:
            if entry.matches(finding):
                finding.ignored_by = entry.reason
                used.add(entry)
                break
    return [entry for entry in entries if entry not in used]
