"""Validate JSON-RPC messages against one schema bundle, and say what is wrong where.

A bundle is a folder as ``codex app-server generate-json-schema --out`` writes it: one
self-contained draft-07 file per type (``v2/GetAccountResponse.json`` ...) plus the
method maps (``ClientRequest.json`` ...). Opening one reads the four maps and lists the
type files; a type's file is read, and its validator compiled, the first time a message
of that type is checked. A run touches a few dozen of the ~300 types.

Each finding has a level. What the bundle forbids (a wrong type, a missing required
field, a value outside an enum) is an ``error``; so is a field that looks like a
declared one renamed. A field the bundle does not declare is a ``warning``: releases
add optional fields, and upstream's files leave objects open for exactly that. With
``strict_fields`` every undeclared field is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from .compat.loader import MAPS, method_map
from .result_types import result_types
from .undeclared import FieldWalk

Part = Literal["params", "result", "envelope"]
Level = Literal["error", "warning"]
BUNDLE_SUFFIX = ".schemas.json"  # the all-in-one bundles repeat the per-type files


@dataclass(frozen=True)
class Violation:
    """One schema rule a message breaks (``error``), or a field it does not declare."""

    method: str
    part: Part
    path: str
    rule: str
    message: str
    schema_type: str
    level: Level = "error"

    def __str__(self) -> str:
        if self.level == "warning":
            return f"{self.method} {self.part} ({self.schema_type}): at {self.path}: {self.message}"
        return (
            f"{self.method} {self.part} does not match {self.schema_type}: at {self.path}: "
            f"{self.message} (schema rule `{self.rule}`)"
        )


class SchemaSetError(ValueError):
    """The schema folder cannot be used; the message names it and says why."""


@dataclass
class _TypeCheck:
    validator: Draft7Validator
    walk: FieldWalk


class SchemaCheck:
    """One bundle: its method maps, and validators compiled per type on first use."""

    def __init__(self, folder: Path, name: str | None = None, strict_fields: bool = False) -> None:
        self.folder = folder
        self.source = name or str(folder)
        self.strict_fields = strict_fields
        self._files = _index(folder)
        maps = {name: self._map(name) for name in MAPS}
        self.client_requests = maps["ClientRequest"]
        self.server_notifications = maps["ServerNotification"]
        self.server_requests = maps["ServerRequest"]
        self.client_notifications = maps["ClientNotification"]
        if not (self.client_requests and self.server_notifications):
            raise SchemaSetError(
                f"{folder}: not a schema bundle: no methods in ClientRequest.json / "
                "ServerNotification.json; expected the output of "
                "`codex app-server generate-json-schema --out DIR`"
            )
        requests = {**self.server_requests, **self.client_requests}
        self.result_types, self.unresolved = result_types(requests, self._files)
        self._checks: dict[str, _TypeCheck] = {}
        self._branches: dict[int, Draft7Validator] = {}

    def knows(self, type_name: str) -> bool:
        return type_name in self._files

    def variant_tags(self, type_name: str, tag: str = "type") -> list[str]:
        """The ``tag`` of each variant of a union type (its ``oneOf``), in the bundle's
        order: e.g. the login kinds a release declares (``LoginAccountParams``)."""
        path = self._files.get(type_name)
        if path is None:
            raise SchemaSetError(f"{self.source}: no type {type_name}")
        found: list[str] = []
        for variant in _read(path).get("oneOf", []):
            props = variant.get("properties", {}) if isinstance(variant, dict) else {}
            found.extend(str(value) for value in props.get(tag, {}).get("enum", [])[:1])
        return found

    def validate(self, type_name: str, value: Any, method: str, part: Part) -> list[Violation]:
        check = self._check(type_name)
        if check is None:
            return [
                Violation(
                    method, part, "$", "definition", "type missing from the bundle",
                    type_name,
                )
            ]  # fmt: skip
        errors = sorted(check.validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        found = [_violation(error, method, part, type_name) for error in errors]
        for field in check.walk.find(value, "$" if part == "envelope" else f"$.{part}"):
            if field.renames is not None:
                found.append(
                    Violation(
                        method, part, field.where, "renamed-field",
                        f"`{field.key}` is not declared; it looks like the declared field "
                        f"`{field.renames}` renamed", type_name,
                    )
                )  # fmt: skip
            else:
                level: Level = "error" if self.strict_fields else "warning"
                found.append(
                    Violation(
                        method, part, field.where, "undeclared-field",
                        f"`{field.key}` is not declared by {type_name} in {self.source}",
                        type_name, level,
                    )
                )  # fmt: skip
        return found

    def _map(self, name: str) -> dict[str, str | None]:
        """method -> params type (None: no params) of one method map."""
        path = self._files.get(name)
        return read_map(path) if path is not None else {}

    def _check(self, type_name: str) -> _TypeCheck | None:
        found = self._checks.get(type_name)
        if found is None:
            path = self._files.get(type_name)
            if path is None:
                return None
            document = _read(path)
            definitions = document.get("definitions") or {}

            def is_valid(branch: Any, value: Any) -> bool:
                return self._branch_valid(branch, value, definitions)

            found = _TypeCheck(Draft7Validator(document), FieldWalk(document, is_valid))
            self._checks[type_name] = found
        return found

    def _branch_valid(self, branch: Any, value: Any, definitions: dict[str, Any]) -> bool:
        """Whether ``value`` is of one ``oneOf``/``anyOf`` branch (refs resolve in its file)."""
        validator = self._branches.get(id(branch))
        if validator is None:
            schema = {**branch, "definitions": definitions} if isinstance(branch, dict) else branch
            validator = Draft7Validator(schema)
            self._branches[id(branch)] = validator
        return bool(validator.is_valid(value))


def read_map(path: Path) -> dict[str, str | None]:
    """method -> params type (None: no params) of one method map file."""
    return method_map(_read(path))


def _index(folder: Path) -> dict[str, Path]:
    """Type name -> its file (the shallowest, where a name is written twice)."""
    if not folder.is_dir():
        raise SchemaSetError(f"{folder}: no such schema folder")
    files: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.json"), key=lambda p: (len(p.parts), p.name)):
        if not path.name.endswith(BUNDLE_SUFFIX):
            files.setdefault(path.stem, path)
    if not any(name in files for name in MAPS):
        raise SchemaSetError(
            f"{folder}: not a schema bundle (no ClientRequest.json or ServerNotification.json); "
            "expected the output of `codex app-server generate-json-schema --out DIR`"
        )
    return files


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaSetError(f"{path}: not a JSON document ({exc})") from exc
    if not isinstance(document, dict):
        raise SchemaSetError(f"{path}: not a JSON Schema document (a {type(document).__name__})")
    return document


def _violation(error: ValidationError, method: str, part: Part, type_name: str) -> Violation:
    detail = _most_specific(error)
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in detail.absolute_path)
    return Violation(
        method=method,
        part=part,
        path=path.replace("$", f"$.{part}", 1) if part != "envelope" else path,
        rule=str(detail.validator),
        message=detail.message[:300],
        schema_type=type_name,
    )


def _most_specific(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the error of the branch the value meant to be.

    "is not of type 'null'" says little about an object that nearly matched its
    other branch. A branch whose tag (an enum or const) rejects the value is not the
    one meant; of the others, the one with the fewest errors is.
    """
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)

        def score(errors: list[ValidationError]) -> tuple[int, int, int]:
            wrong_tag = any(e.validator in ("enum", "const") for e in errors)
            wrong_type = any(e.validator == "type" and not e.relative_path for e in errors)
            return (wrong_tag + wrong_type, len(errors), -max(len(e.path) for e in errors))

        chosen = min(branches.values(), key=score)
        error = min(chosen, key=lambda e: -len(e.absolute_path))
    return error
