"""Which definitions flow which way, from the schema's own method maps.

Roots: ClientRequest params and ClientNotification params flow client→server, as do
responses to server requests (``XParams`` of a ServerRequest answers with
``XResponse``); ServerNotification params, ServerRequest params and every other
``*Response`` flow server→client. Directions spread along ``$ref`` to every type a
root uses; a type reached both ways is ``both``.
"""

from __future__ import annotations

from typing import Any

from .loader import SchemaSet, ref_name
from .model import Direction


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out.add(ref_name(value))
            else:
                _refs(value, out)
    elif isinstance(node, list):
        for item in node:
            _refs(item, out)


def roots(schema: SchemaSet) -> dict[str, Direction]:
    found: dict[str, Direction] = {}

    def mark(name: str | None, direction: Direction) -> None:
        if name is None or name not in schema.definitions:
            return
        found[name] = direction if found.get(name) in (None, direction) else Direction.BOTH

    server_request_responses = set()
    for params in schema.methods("ServerRequest").values():
        mark(params, Direction.S2C)
        if params and params.endswith("Params"):
            response = params[: -len("Params")] + "Response"
            server_request_responses.add(response)
            mark(response, Direction.C2S)
    for params in schema.methods("ClientRequest").values():
        mark(params, Direction.C2S)
    for params in schema.methods("ClientNotification").values():
        mark(params, Direction.C2S)
    for params in schema.methods("ServerNotification").values():
        mark(params, Direction.S2C)
    for name in schema.definitions:
        if name.endswith("Response") and name not in server_request_responses:
            mark(name, Direction.S2C)
    return found


def directions(schema: SchemaSet) -> dict[str, Direction]:
    """Direction of every definition reachable from a root."""
    result: dict[str, Direction] = {}
    for root, direction in roots(schema).items():
        stack = [root]
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen or name not in schema.definitions:
                continue
            seen.add(name)
            previous = result.get(name)
            result[name] = direction if previous in (None, direction) else Direction.BOTH
            refs: set[str] = set()
            _refs(schema.definitions[name], refs)
            stack.extend(refs)
    return result
