"""``--lint``: names that break the wire's camelCase convention, types without a
description. Upstream found its snake_case names by hand; this finds them for you."""

from __future__ import annotations

import re
from typing import Any

from .directions import directions
from .loader import SchemaSet
from .model import Direction, Finding

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def lint(schema: SchemaSet) -> list[Finding]:
    findings: list[Finding] = []
    dirs = directions(schema)
    for name in sorted(dirs):
        node = schema.definitions[name]
        direction = dirs[name]
        if isinstance(node, dict) and not node.get("description"):
            findings.append(Finding("LNT002", name, "no description", direction))
        _walk(node, name, direction, findings)
    return findings


def _walk(node: Any, path: str, direction: Direction, out: list[Finding]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, f"{path}[{index}]", direction, out)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for prop, schema in value.items():
                if not CAMEL.match(prop):
                    out.append(
                        Finding("LNT001", f"{path}.{prop}", f"{prop!r} is not camelCase", direction)
                    )
                _walk(schema, f"{path}.{prop}", direction, out)
        elif key in ("oneOf", "anyOf", "allOf", "items", "additionalProperties"):
            _walk(value, path, direction, out)
