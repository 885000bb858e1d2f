"""Validate every JSON-RPC message against a schema set, and say what is wrong where.

A schema set is a folder as ``generate-json-schema --out`` writes it: one
self-contained draft-07 file per type (``v2/GetAccountResponse.json`` ...) plus the
method maps (``ClientRequest.json`` ...). Each type is validated against its own file,
so a binary's own folder works as well as the vendored ``schema/``. Validators are
compiled once per type and cached.

The maps say which type a method's params carry; which type an answer carries is not
in upstream's files, so it comes from the protocol models (same type names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from .compat.loader import SchemaSet

Part = Literal["params", "result", "envelope"]

#: Methods whose messages the kit judges; anything else is recorded, never fatal.
SURFACE = frozenset(
    {
        "initialize",
        "initialized",
        "account/read",
        "account/login/start",
        "account/login/cancel",
        "account/logout",
        "account/rateLimits/read",
        "account/login/completed",
        "account/updated",
        "account/rateLimits/updated",
        "account/chatgptAuthTokens/refresh",
    }
)

VENDORED = Path(__file__).resolve().parent.parent / "schema"


@dataclass(frozen=True)
class Violation:
    """One schema rule a message breaks."""

    method: str
    part: Part
    path: str
    rule: str
    message: str
    schema_type: str

    def __str__(self) -> str:
        return (
            f"{self.method} {self.part} does not match {self.schema_type}: at {self.path}: "
            f"{self.message} (schema rule `{self.rule}`)"
        )


class SchemaSetError(ValueError):
    """The schema folder cannot be used."""


class SchemaCheck:
    """Compiled validators for one schema set, by type name."""

    def __init__(
        self, documents: dict[str, dict[str, Any]], source: str, strict: bool = True
    ) -> None:
        self.source = source
        self.strict = strict
        self._documents = documents
        self._validators: dict[str, Draft7Validator] = {}
        maps = SchemaSet(source, {k: v for k, v in documents.items() if k[0].isupper()})
        self.client_requests = maps.methods("ClientRequest")
        self.server_requests = maps.methods("ServerRequest")
        self.server_notifications = maps.methods("ServerNotification")
        self.result_types = _result_types()
        if not (self.client_requests or self.server_notifications):
            raise SchemaSetError(
                f"{source}: no method maps (ClientRequest.json, ServerNotification.json); "
                "expected the output of `codex app-server generate-json-schema --out DIR`"
            )

    @classmethod
    def from_folder(cls, folder: Path, strict: bool = True) -> SchemaCheck:
        if not folder.is_dir():
            raise SchemaSetError(f"{folder}: not a folder")
        documents: dict[str, dict[str, Any]] = {}
        for file in sorted(folder.rglob("*.json"), key=lambda p: len(p.parts)):
            if file.name.endswith(".schemas.json"):
                continue  # bundles repeat the per-type files
            try:
                doc = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise SchemaSetError(f"{file}: not a JSON document ({exc})") from exc
            if isinstance(doc, dict):
                documents.setdefault(file.stem, doc)
        return cls(documents, str(folder), strict)

    @classmethod
    def from_models(cls) -> SchemaCheck:
        """The schema our models generate (identical to ``schema/``; a test holds that)."""
        from reference_server.schema_gen import build

        documents = {
            path.stem: doc
            for path, doc in build().items()
            if not path.name.endswith(".schemas.json")
        }
        return cls(documents, "the protocol models")

    def validate(self, type_name: str, value: Any, method: str, part: Part) -> list[Violation]:
        validator = self._validator(type_name)
        if validator is None:
            return [
                Violation(
                    method, part, "$", "definition", "type missing from the schema set", type_name
                )
            ]
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [_violation(error, method, part, type_name) for error in errors]

    def _validator(self, type_name: str) -> Draft7Validator | None:
        found = self._validators.get(type_name)
        if found is None:
            doc = self._documents.get(type_name)
            if doc is None:
                return None
            found = Draft7Validator(strict(doc) if self.strict else doc)
            self._validators[type_name] = found
        return found


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


def strict(node: Any) -> Any:
    """A copy where objects with declared properties allow no others.

    Upstream's files leave additional properties open, so a field renamed to
    snake_case would pass; the kit holds a server to the declared field names.
    """
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: strict(value) for key, value in node.items()}
    if "properties" in copy and "additionalProperties" not in copy:
        copy["additionalProperties"] = False
    return copy


@cache
def _result_types() -> dict[str, str]:
    from reference_server.schema_gen import result_types

    return result_types()


@cache
def vendored() -> SchemaCheck:
    """``schema/`` of this checkout, or the same schema from the models when installed."""
    if (VENDORED / "ClientRequest.json").is_file():
        return SchemaCheck.from_folder(VENDORED)
    return SchemaCheck.from_models()
