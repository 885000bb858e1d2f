"""Protocol rules: one registry, held in every conversation and listed in the docs from it.

Every module of this package is imported here, and every :class:`Rule` subclass in
them registers itself by its id: a new rule is one class in one module (a new module is
picked up as it is). The judge of each server session makes one instance of each.

    python -m conformance.rules     # the rules table of docs/conformance.md
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import RULES, Message, Report, Rule

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def docs_table() -> str:
    """The rules table of docs/conformance.md (a test keeps the two in step)."""
    rows = ["| rule | kind | holds |", "| --- | --- | --- |"]
    rows += [f"| `{name}` | {rule.kind} | {rule.describe()} |" for name, rule in RULES.items()]
    return "\n".join(rows)


__all__ = ["RULES", "Message", "Report", "Rule", "docs_table"]
