"""Read a schema set: a folder as ``generate-json-schema --out`` writes it, one bundle
file, or ``git:REV:PATH`` (either of those, at a revision of the current repository).

Every definition of every file is merged into one namespace by name; a name defined in
several files (upstream repeats shared types in each file) is kept once.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAPS = ("ClientRequest", "ServerNotification", "ServerRequest", "ClientNotification")


class SchemaInputError(ValueError):
    """OLD or NEW cannot be used; the message says which and why."""


@dataclass
class SchemaSet:
    source: str
    definitions: dict[str, Any] = field(default_factory=dict)

    def methods(self, map_name: str) -> dict[str, str | None]:
        """method -> params type name (None: no params) of one method map."""
        return method_map(self.definitions.get(map_name, {}))


def method_map(document: dict[str, Any]) -> dict[str, str | None]:
    """method -> params type name (None: no params) of one method map's document: the one
    reading of the maps, shared by the compat gate and the kit's schema check."""
    found: dict[str, str | None] = {}
    for variant in document.get("oneOf", []):
        props = variant.get("properties", {}) if isinstance(variant, dict) else {}
        names = props.get("method", {}).get("enum", [])
        if names:
            found[str(names[0])] = ref_name_of(props.get("params"))
    return found


def ref_name_of(node: Any) -> str | None:
    """The definition a node refers to, directly or as ``anyOf [$ref, null]`` (a ``$ref``
    that is not a string, in a malformed file, refers to nothing)."""
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("$ref"), str):
        return ref_name(node["$ref"])
    for key in ("anyOf", "oneOf", "allOf"):
        for item in node.get(key, []):
            if isinstance(item, dict) and isinstance(item.get("$ref"), str):
                return ref_name(item["$ref"])
    return None


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _absorb(into: dict[str, Any], doc: Any, fallback_name: str) -> None:
    if not isinstance(doc, dict):
        return
    for name, value in (doc.get("definitions") or {}).items():
        if isinstance(value, dict) and "definitions" in value and name.startswith("v"):
            _absorb(into, value, name)  # a nested namespace (upstream's "v2" inside the bundle)
            continue
        into.setdefault(name, value)
    body = {k: v for k, v in doc.items() if k not in ("definitions", "$schema")}
    if body and (body.keys() - {"title", "type"}):
        into.setdefault(str(doc.get("title") or fallback_name), body)


def load(spec: str) -> SchemaSet:
    if spec.startswith("git:"):
        return _load_git(spec)
    path = Path(spec)
    if not path.exists():
        raise SchemaInputError(f"{spec}: no such file or folder")
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    if not files:
        raise SchemaInputError(f"{spec}: no .json files in this folder")
    schema = SchemaSet(source=spec)
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SchemaInputError(f"{file}: not a JSON document ({exc})") from exc
        _absorb(schema.definitions, doc, file.stem)
    if not any(name in schema.definitions for name in MAPS):
        raise SchemaInputError(
            f"{spec}: no method maps (ClientRequest, ServerNotification, ...) found; "
            "expected the output of `codex app-server generate-json-schema --out DIR`"
        )
    return schema


def _load_git(spec: str) -> SchemaSet:
    try:
        _, rev, path = spec.split(":", 2)
    except ValueError as exc:
        raise SchemaInputError(f"{spec}: expected git:REV:PATH") from exc
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev, path],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            message = archive.stderr.decode("utf-8", "replace").strip()
            raise SchemaInputError(f"{spec}: git cannot read {path} at {rev}: {message}")
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        loaded = load(str(Path(tmp) / path))
    loaded.source = spec
    return loaded
