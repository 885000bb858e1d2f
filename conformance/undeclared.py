"""Fields a message carries that its schema type does not declare, and which of them look
like a declared field renamed.

Upstream's bundles leave objects open (no ``additionalProperties: false``), so a
validator alone accepts a field the release never declared, and a field renamed to
``snake_case`` only shows as the declared one missing, if it is required. This walks a
value along its schema (following ``$ref``, and into the branch of a ``oneOf``/``anyOf``
the value is of) and lists every key an object has beyond its declared ``properties``.

A key is a *rename* when it folds (case and ``_`` ignored) onto a declared field, or
when it is close to a declared optional field that the object lacks (``workspace_nam``
beside no ``workspaceName``): the server meant a declared field and spelt it otherwise,
which breaks clients. Anything else is a field the release added without declaring it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: How alike (0..1, after folding) an undeclared key and an absent declared key must be
#: to count as the same field spelt otherwise.
NEAR = 0.85

Schema = dict[str, Any]
IsValid = Callable[[Schema, Any], bool]


@dataclass(frozen=True)
class Undeclared:
    """One key an object carries that its schema does not declare."""

    path: str  # JSON path of the object, e.g. "$.result.account"
    key: str
    renames: str | None  # the declared field it looks like a renaming of

    @property
    def where(self) -> str:
        return f"{self.path}.{self.key}"


def fold(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


class FieldWalk:
    """Walks values of one type's schema document (local ``#/definitions/...`` refs)."""

    def __init__(self, document: Schema, is_valid: IsValid) -> None:
        self.document = document
        self.definitions: dict[str, Any] = document.get("definitions") or {}
        self.is_valid = is_valid

    def find(self, value: Any, path: str = "$") -> list[Undeclared]:
        return list(self._walk(self.document, value, path, root=True))

    def _resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 50:
            ref = node["$ref"]
            if not ref.startswith("#/definitions/"):
                return {}
            node = self.definitions.get(ref.rsplit("/", 1)[-1], {})
            seen += 1
        return node

    def _walk(self, node: Any, value: Any, path: str, root: bool = False) -> Iterator[Undeclared]:
        parts = self._parts(node, value)
        if isinstance(value, dict):
            yield from self._object(parts, value, path, root)
        elif isinstance(value, list):
            items = next((p["items"] for p in parts if "items" in p), None)
            if isinstance(items, dict):
                for index, item in enumerate(value):
                    yield from self._walk(items, item, f"{path}[{index}]")
            elif isinstance(items, list):
                for index, (schema, item) in enumerate(zip(items, value, strict=False)):
                    yield from self._walk(schema, item, f"{path}[{index}]")

    def _parts(self, node: Any, value: Any, depth: int = 0) -> list[Schema]:
        """The schema nodes that together describe ``value``: the node, its ``allOf``
        parts and the branch of each ``oneOf``/``anyOf`` the value is of."""
        node = self._resolve(node)
        if not isinstance(node, dict) or depth > 20:
            return []
        found = [node]
        for part in node.get("allOf", []):
            found.extend(self._parts(part, value, depth + 1))
        for key in ("oneOf", "anyOf"):
            branches = node.get(key)
            if isinstance(branches, list):
                branch = self._branch(branches, value)
                if branch is not None:
                    found.extend(self._parts(branch, value, depth + 1))
        return found

    def _object(
        self, parts: list[Schema], value: dict[str, Any], path: str, root: bool
    ) -> Iterator[Undeclared]:
        declared: dict[str, Any] = {}
        required: set[str] = set()
        open_object = False
        extra_schema: Any = None
        for part in parts:
            properties = part.get("properties")
            if isinstance(properties, dict):
                for key, schema in properties.items():
                    declared.setdefault(key, schema)
            required.update(part.get("required", []))
            additional = part.get("additionalProperties")
            if additional is True or additional == {} or "patternProperties" in part:
                open_object = True
            elif isinstance(additional, dict) and extra_schema is None:
                extra_schema = additional
        for key, schema in declared.items():
            if key in value:
                yield from self._walk(schema, value[key], f"{path}.{key}")
        extra = [key for key in value if key not in declared]
        if extra_schema is not None:  # a map: its keys are data, its values typed
            for key in extra:
                yield from self._walk(extra_schema, value[key], f"{path}.{key}")
            return
        if open_object or not (declared or (root and _plain_object(parts))):
            return  # free-form: nothing is declared, so nothing is undeclared
        absent_optional = [k for k in declared if k not in value and k not in required]
        for key in extra:
            yield Undeclared(path, key, _renamed(key, list(declared), absent_optional))

    def _branch(self, branches: list[Any], value: Any) -> Any:
        """The branch ``value`` is of: the first it validates against; else (a value that
        breaks its type) the one whose tag, such as ``type``, it carries, or the only one
        that describes objects at all."""
        for branch in branches:
            if self.is_valid(branch, value):
                return branch
        if not isinstance(value, dict):
            return None
        objects = [b for b in branches if _describes_objects(self._resolve(b))]
        for branch in objects:
            if self._carries_tag(branch, value, 0):
                return branch
        return objects[0] if len(objects) == 1 else None

    def _carries_tag(self, node: Any, value: dict[str, Any], depth: int) -> bool:
        node = self._resolve(node)
        if not isinstance(node, dict) or depth > 20:
            return False
        tags = _tags(node)
        if tags:
            return all(value.get(key) == wanted for key, wanted in tags.items())
        return any(
            self._carries_tag(branch, value, depth + 1)
            for key in ("oneOf", "anyOf", "allOf")
            for branch in node.get(key, [])
        )


def _describes_objects(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "object" in kinds or any(k in node for k in ("properties", "oneOf", "anyOf", "allOf"))


def _plain_object(parts: list[Schema]) -> bool:
    """A type whose document is just ``{"type": "object"}``: an empty struct (e.g.
    ``LogoutAccountResponse``), which declares no fields at all."""
    combined = ("oneOf", "anyOf", "allOf", "additionalProperties", "patternProperties")
    return (
        len(parts) == 1
        and parts[0].get("type") == "object"
        and not any(key in parts[0] for key in combined)
    )


def _tags(node: Any) -> dict[str, Any]:
    properties = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(properties, dict):
        return {}
    found = {}
    for key, schema in properties.items():
        enum = schema.get("enum") if isinstance(schema, dict) else None
        if isinstance(enum, list) and len(enum) == 1:
            found[key] = enum[0]
    return found


def _renamed(key: str, declared: list[str], absent_optional: list[str]) -> str | None:
    folded = fold(key)
    for name in declared:
        if fold(name) == folded:
            return name
    for name in absent_optional:
        if difflib.SequenceMatcher(None, folded, fold(name)).ratio() >= NEAR:
            return name
    return None
