"""The step tables of docs/conformance.md, rendered from the registry (a test holds the
page to them): one row per kind, then one row per qualifier and meaning, by name."""

from __future__ import annotations

from .base import KINDS, StepKind


def _code(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "—"


def docs_table() -> str:
    rows = ["| step | qualifiers | does |", "| --- | --- | --- |"]
    kinds = sorted(KINDS.items())
    for action, kind in kinds:
        own = [name for name in kind.qualifiers() if name not in StepKind.model_fields]
        rows.append(f"| `{action}: {kind.written}` | {_code(own)} | {kind.does()} |")
    meanings: dict[tuple[str, str], list[str]] = {}
    for action, kind in kinds:
        for name, info in kind.qualifiers().items():
            meanings.setdefault((name, info.description or ""), []).append(action)
    rows += ["", "| qualifier | of | meaning |", "| --- | --- | --- |"]
    for (name, meaning), actions in sorted(meanings.items()):
        of = "every step" if len(actions) == len(KINDS) else _code(actions)
        rows.append(f"| `{name}` | {of} | {meaning} |")
    return "\n".join(rows)
