"""Compare two schema sets type by type, following ``$ref`` (cycles tolerated), and
report each change as a finding judged by the direction its type flows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .directions import directions
from .loader import MAPS, SchemaSet, ref_name
from .model import Direction, Finding

UNSTABLE = "[UNSTABLE]"
_IGNORED_KEYS = {"description", "title", "default", "examples", "$schema"}


@dataclass
class _Walk:
    old: SchemaSet
    new: SchemaSet
    findings: list[Finding] = field(default_factory=list)
    seen: set[tuple[str, str, Direction]] = field(default_factory=set)

    def add(
        self,
        rule: str,
        path: str,
        message: str,
        direction: Direction,
        experimental: bool,
        hint: str | None = None,
    ) -> None:
        self.findings.append(Finding(rule, path, message, direction, experimental, hint))

    def resolve(self, schema: SchemaSet, node: Any) -> tuple[Any, str | None]:
        name = None
        depth = 0
        while isinstance(node, dict) and "$ref" in node and depth < 50:
            name = ref_name(node["$ref"])
            node = schema.definitions.get(name, {})
            depth += 1
        if isinstance(node, dict) and list(node) == ["allOf"] and len(node["allOf"]) == 1:
            return self.resolve(schema, node["allOf"][0])
        return node, name


def _is_experimental(node: Any) -> bool:
    return isinstance(node, dict) and str(node.get("description", "")).startswith(UNSTABLE)


def _strip_null(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node without its null alternative, and whether null was allowed."""
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        copy = dict(node)
        copy["type"] = rest[0] if len(rest) == 1 else rest
        return copy, True
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and {"type": "null"} in any_of:
        others = [item for item in any_of if item != {"type": "null"}]
        copy = {k: v for k, v in node.items() if k != "anyOf"}
        if len(others) == 1:
            copy.update(others[0] if isinstance(others[0], dict) else {})
        else:
            copy["anyOf"] = others
        return copy, True
    return node, types == "null"


def _types(node: dict[str, Any]) -> set[str]:
    types = node.get("type")
    if isinstance(types, str):
        return {types}
    if isinstance(types, list):
        return {str(t) for t in types}
    return set()


def _variant_key(node: Any, index: int) -> str:
    if isinstance(node, dict):
        if "$ref" in node:
            return ref_name(node["$ref"])
        tag = node.get("properties", {}).get("type", {}).get("enum")
        if isinstance(tag, list) and len(tag) == 1:
            return str(tag[0])
        if node.get("title"):
            return str(node["title"])
        if isinstance(node.get("enum"), list) and len(node["enum"]) == 1:
            return str(node["enum"][0])
        if node.get("required"):
            return "{" + ",".join(sorted(map(str, node["required"]))) + "}"
    return f"#{index}"


def _shape(node: Any) -> str:
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in sorted(value.items()) if k not in _IGNORED_KEYS}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(node), sort_keys=True)


def _compare(w: _Walk, old: Any, new: Any, path: str, d: Direction, exp: bool) -> None:
    old_node, old_name = w.resolve(w.old, old)
    new_node, new_name = w.resolve(w.new, new)
    if old_name and new_name:
        if old_name != new_name:
            w.add("CMP050", path, f"refers to {new_name} instead of {old_name}", d, exp)
        key = (old_name, new_name, d)
        if key in w.seen:
            return
        w.seen.add(key)
    if not isinstance(old_node, dict) or not isinstance(new_node, dict):
        return
    exp = exp or _is_experimental(old_node) or _is_experimental(new_node)
    old_node, old_null = _strip_null(old_node)
    new_node, new_null = _strip_null(new_node)
    if old_null and not new_null:
        w.add("CMP022", path, "null is no longer allowed", d, exp)
    elif new_null and not old_null:
        w.add("CMP021", path, "null is now allowed", d, exp)
    if "$ref" in old_node or "$ref" in new_node:
        _compare(w, old_node, new_node, path, d, exp)
        return
    _compare_types(w, old_node, new_node, path, d, exp)
    _compare_enums(w, old_node, new_node, path, d, exp)
    _compare_variants(w, old_node, new_node, path, d, exp)
    _compare_properties(w, old_node, new_node, path, d, exp)
    if "items" in old_node and "items" in new_node:
        _compare(w, old_node["items"], new_node["items"], f"{path}[]", d, exp)
    old_extra, new_extra = (
        old_node.get("additionalProperties"),
        new_node.get("additionalProperties"),
    )
    if isinstance(old_extra, dict) and isinstance(new_extra, dict):
        _compare(w, old_extra, new_extra, f"{path}{{*}}", d, exp)


def _compare_types(
    w: _Walk, old: dict[str, Any], new: dict[str, Any], path: str, d: Direction, exp: bool
) -> None:
    before, after = _types(old), _types(new)
    if not before or not after or before == after:
        return
    widened, narrowed = after >= before, after <= before
    if (d is Direction.C2S and widened) or (d is Direction.S2C and narrowed):
        return
    w.add("CMP020", path, f"type {sorted(before)} -> {sorted(after)}", d, exp)


def _compare_enums(
    w: _Walk, old: dict[str, Any], new: dict[str, Any], path: str, d: Direction, exp: bool
) -> None:
    before, after = old.get("enum"), new.get("enum")
    if not isinstance(before, list) or not isinstance(after, list):
        return
    if len(before) == 1 and len(after) == 1:
        return  # a variant tag, judged as a variant
    for value in sorted(map(str, set(map(str, after)) - set(map(str, before)))):
        w.add("CMP030", path, f"enum value {value!r} added", d, exp)
    for value in sorted(map(str, set(map(str, before)) - set(map(str, after)))):
        w.add("CMP031", path, f"enum value {value!r} removed", d, exp)


def _compare_variants(
    w: _Walk, old: dict[str, Any], new: dict[str, Any], path: str, d: Direction, exp: bool
) -> None:
    for key in ("oneOf", "anyOf"):
        before, after = old.get(key), new.get(key)
        if not isinstance(before, list) or not isinstance(after, list):
            continue
        old_map = {_variant_key(v, i): v for i, v in enumerate(before)}
        new_map = {_variant_key(v, i): v for i, v in enumerate(after)}
        for name in sorted(new_map.keys() - old_map.keys()):
            w.add(
                "CMP040",
                f"{path}.{key}[{name}]",
                f"variant {name!r} added",
                d,
                exp or _is_experimental(new_map[name]),
            )
        for name in sorted(old_map.keys() - new_map.keys()):
            w.add(
                "CMP041",
                f"{path}.{key}[{name}]",
                f"variant {name!r} removed",
                d,
                exp or _is_experimental(old_map[name]),
            )
        for name in sorted(old_map.keys() & new_map.keys()):
            _compare(w, old_map[name], new_map[name], f"{path}.{key}[{name}]", d, exp)


def _compare_properties(
    w: _Walk, old: dict[str, Any], new: dict[str, Any], path: str, d: Direction, exp: bool
) -> None:
    before, after = old.get("properties"), new.get("properties")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    removed = sorted(before.keys() - after.keys())
    added = sorted(after.keys() - before.keys())
    shapes_added = {_shape(after[n]): n for n in added}
    for name in removed:
        twin = shapes_added.get(_shape(before[name]))
        hint = f"renamed to {twin!r}?" if twin else None
        sub_exp = exp or _is_experimental(before[name])
        if name in old_req:
            w.add("CMP011", f"{path}.{name}", "required field removed", d, sub_exp, hint)
        else:
            w.add("CMP014", f"{path}.{name}", "optional field removed", d, sub_exp, hint)
    shapes_removed = {_shape(before[n]): n for n in removed}
    for name in added:
        twin = shapes_removed.get(_shape(after[name]))
        hint = f"renamed from {twin!r}?" if twin else None
        sub_exp = exp or _is_experimental(after[name])
        if name in new_req:
            w.add("CMP010", f"{path}.{name}", "required field added", d, sub_exp, hint)
        else:
            w.add("CMP015", f"{path}.{name}", "optional field added", d, sub_exp, hint)
    for name in sorted(before.keys() & after.keys()):
        sub_exp = exp or _is_experimental(before[name]) or _is_experimental(after[name])
        if name in new_req and name not in old_req:
            w.add("CMP012", f"{path}.{name}", "field became required", d, sub_exp)
        elif name in old_req and name not in new_req:
            w.add("CMP013", f"{path}.{name}", "field became optional", d, sub_exp)
        _compare(w, before[name], after[name], f"{path}.{name}", d, sub_exp)


def compare(old: SchemaSet, new: SchemaSet, surface: set[str] | None = None) -> list[Finding]:
    """Every change from ``old`` to ``new``; ``surface`` limits it to those methods."""
    w = _Walk(old, new)
    old_dirs = directions(old)
    new_dirs = directions(new)
    compared_roots: set[str] = set()
    for map_name in MAPS:
        before, after = old.methods(map_name), new.methods(map_name)
        if surface is not None:
            before = {m: t for m, t in before.items() if m in surface}
            after = {m: t for m, t in after.items() if m in surface}
        c2s = map_name in ("ClientRequest", "ClientNotification")
        d = Direction.C2S if c2s else Direction.S2C
        for method in sorted(before.keys() - after.keys()):
            w.add("CMP001", f"{map_name}.{method}", f"{method} removed", d, False)
        for method in sorted(after.keys() - before.keys()):
            w.add("CMP002", f"{map_name}.{method}", f"{method} added", d, False)
        for method in sorted(before.keys() & after.keys()):
            old_type, new_type = before[method], after[method]
            if old_type is None or new_type is None:
                continue
            root_d = old_dirs.get(old_type, d)
            compared_roots.add(old_type)
            _compare(
                w,
                {"$ref": f"#/definitions/{old_type}"},
                {"$ref": f"#/definitions/{new_type}"},
                old_type,
                root_d,
                False,
            )
    # Responses (and server-request responses) by name, where both sides have them.
    for name in sorted(old.definitions.keys() & new.definitions.keys()):
        if not name.endswith("Response") or name in compared_roots:
            continue
        if surface is not None and name not in new_dirs:
            continue  # a response outside the surface NEW implements
        d = old_dirs.get(name, Direction.S2C)
        _compare(
            w, {"$ref": f"#/definitions/{name}"}, {"$ref": f"#/definitions/{name}"}, name, d, False
        )
    return _dedupe(w.findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per change: a type reached twice is reported once, but two values
    added to one enum (``sci`` and ``sci_plus``) are two changes at one path."""
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.rule, finding.path, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return sorted(unique, key=lambda f: (f.path, f.rule))
