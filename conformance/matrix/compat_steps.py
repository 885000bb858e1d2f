"""The schema gate between two consecutive releases, as one step of the matrix.

Each finding of :mod:`conformance.compat` is kept with its level and, beside its path,
the *method* whose type the path starts from (``GetAccountResponse.userId`` belongs to
``account/read``): that is what lets a report say which release changed what on the
account surface. Steps are computed from bundle folders, so ``--merge`` can recompute
them from the bundles the per-release jobs left behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..compat.diff import compare
from ..compat.loader import MAPS, SchemaInputError, SchemaSet, load
from ..compat.report import Report
from ..result_types import result_types

#: The levels a step keeps, as the matrix.json keys that hold them.
LEVEL_KEYS = {"ERROR": "errors", "WARN": "warnings", "INFO": "info"}


@dataclass
class CompatStep:
    """``errors``, ``warnings`` and ``info`` hold findings (rule, name, path, message,
    direction, method); ``error`` says why the step could not be computed."""

    old: str
    new: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    info: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.old,
            "to": self.new,
            "errors": self.errors,
            "warnings": self.warnings,
            "info": self.info,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompatStep:
        return cls(
            data["from"],
            data["to"],
            list(data.get("errors", [])),
            list(data.get("warnings", [])),
            list(data.get("info", [])),
            data.get("error"),
        )


def methods_by_type(*schemas: SchemaSet) -> dict[str, str]:
    """Root type -> method: params types from the method maps, and each request's result
    type as :mod:`conformance.result_types` resolves it (the ``XParams`` -> ``XResponse``
    convention and the declared exceptions: ``LogoutAccountResponse``, ``ConfigWriteResponse``)."""
    found: dict[str, str] = {}
    for schema in schemas:
        requests: dict[str, str | None] = {}
        for map_name in MAPS:
            methods = schema.methods(map_name)
            for method, params in methods.items():
                if params is not None:
                    found.setdefault(params, method)
            if map_name.endswith("Request"):
                requests.update(methods)
        results, _unresolved = result_types(requests, schema.definitions)
        for method, result in results.items():
            found.setdefault(result, method)
    return found


def method_of(path: str, types: dict[str, str]) -> str | None:
    """The method a finding's path belongs to (``ClientRequest.account/usage/read`` names
    it directly; ``GetAccountResponse.userId`` through its root type)."""
    root, _, rest = path.partition(".")
    if root in MAPS:
        return rest.split(".", 1)[0] or None
    return types.get(root)


def compare_bundles(old: str, old_folder: Path, new: str, new_folder: Path) -> CompatStep:
    step = CompatStep(old, new)
    try:
        old_set, new_set = load(str(old_folder)), load(str(new_folder))
    except SchemaInputError as exc:
        step.error = str(exc)
        return step
    report = Report(str(old_folder), str(new_folder), compare(old_set, new_set, None))
    types = methods_by_type(new_set, old_set)
    for finding in sorted(report.active(), key=lambda f: (f.path, f.rule)):
        entry = {
            "rule": finding.rule,
            "name": finding.to_json()["name"],
            "path": finding.path,
            "message": finding.message,
            "direction": finding.direction.value,
            "method": method_of(finding.path, types),
        }
        if finding.experimental:
            entry["experimental"] = True
        getattr(step, LEVEL_KEYS[report.level(finding).name]).append(entry)
    return step
