"""Generate the JSON Schema bundle from the protocol models, in upstream's layout.

``codex app-server generate-json-schema --out DIR`` writes draft-07 files named after
the types (``v2/GetAccountResponse.json`` ...), method maps (``ClientRequest.json``,
``ServerNotification.json`` ...) and one bundle per version. This writes the same
layout and names for the surface we implement, so the compatibility gate and the
conformance kit can read ours and the binary's alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .methods import (
    CLIENT_NOTIFICATIONS,
    CLIENT_REQUESTS,
    NAMED_UNIONS,
    SERVER_NOTIFICATIONS,
    SERVER_REQUESTS,
    Method,
)

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
BUNDLE_V2 = "codex_app_server_protocol.v2.schemas.json"
REGENERATE = "python -m reference_server app-server generate-json-schema --out schema/reference"


def type_name(tp: Any) -> str:
    name = NAMED_UNIONS.get(id(tp))
    if name is not None:
        return name
    return str(tp.__name__)


def _dropped(key: str, value: Any, in_properties: bool) -> bool:
    """Pydantic-only keys: discriminators, per-field titles, null defaults."""
    return (
        key == "discriminator"
        or (key == "title" and in_properties)
        or (key == "default" and value is None)
    )


def _to_draft07(node: Any, in_properties: bool = False) -> Any:
    """Pydantic's 2020-12 output, in the shapes upstream's generator uses."""
    if isinstance(node, list):
        return [_to_draft07(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            out[key] = value.replace("#/$defs/", "#/definitions/")
        elif key == "$defs":
            out["definitions"] = {k: _to_draft07(v) for k, v in value.items()}
        elif key == "properties":
            out[key] = {k: _to_draft07(v, in_properties=True) for k, v in value.items()}
        elif key == "const":
            out["enum"] = [value]
        elif _dropped(key, value, in_properties):
            continue
        elif key == "required":
            out[key] = sorted(value)
        else:
            out[key] = _to_draft07(value)
    any_of = out.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        other = next(item for item in any_of if item != {"type": "null"})
        if set(other) == {"type"} and isinstance(other["type"], str):
            del out["anyOf"]
            out["type"] = [other["type"], "null"]
    if isinstance(out.get("oneOf"), list):
        for variant in out["oneOf"]:
            _title_discriminator(variant)
    if "enum" in out and "type" not in out:
        out["type"] = "string"
    return out


def _title_discriminator(variant: Any) -> None:
    if not isinstance(variant, dict):
        return
    prop = variant.get("properties", {}).get("type")
    if isinstance(prop, dict) and "title" in variant and "enum" in prop:
        prop["title"] = f"{variant['title']}Type"


def type_schema(tp: Any) -> dict[str, Any]:
    """The draft-07 document of one named type."""
    raw = TypeAdapter(tp).json_schema(by_alias=True, ref_template="#/$defs/{model}")
    # Discriminated unions come back as a oneOf of $refs: inline the variants, as upstream.
    defs = raw.get("$defs", {})
    if "oneOf" in raw:
        variants = []
        for item in raw["oneOf"]:
            ref = item.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            variants.append(defs.pop(name) if name in defs else item)
        raw["oneOf"] = variants
    _inline_union_variants(defs)
    if not defs:
        raw.pop("$defs", None)
    doc = _to_draft07(raw)
    doc["title"] = type_name(tp)
    return {"$schema": DRAFT_07, **doc}


def _inline_union_variants(defs: dict[str, Any]) -> None:
    """Upstream writes a union's variants inline in the union's own definition."""
    for definition in list(defs.values()):
        variants = definition.get("oneOf")
        if not isinstance(variants, list):
            continue
        inlined = []
        for item in variants:
            name = item.get("$ref", "").rsplit("/", 1)[-1] if isinstance(item, dict) else ""
            inlined.append(defs.pop(name) if name in defs else item)
        definition["oneOf"] = inlined


def _method_variant(method: Method, kind: str, with_id: bool) -> dict[str, Any]:
    title_stem = method.name[:1].upper() + method.name[1:]
    props: dict[str, Any] = {}
    if with_id:
        props["id"] = {"$ref": "#/definitions/RequestId"}
    props["method"] = {
        "enum": [method.name],
        "title": f"{title_stem}{kind}Method",
        "type": "string",
    }
    required = ["id", "method"] if with_id else ["method"]
    if method.params is None:
        if with_id:
            props["params"] = {"type": "null"}
    else:
        props["params"] = {"$ref": f"#/definitions/{type_name(method.params)}"}
        required.append("params")
    return {
        "properties": props,
        "required": required,
        "title": f"{title_stem}{kind}",
        "type": "object",
    }


def _method_map(
    title: str, methods: tuple[Method, ...], kind: str, with_id: bool
) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    if with_id:
        definitions["RequestId"] = REQUEST_ID
    for method in methods:
        if method.params is not None:
            definitions[type_name(method.params)] = _definition(method.params)
    doc: dict[str, Any] = {"$schema": DRAFT_07}
    if definitions:
        doc["definitions"] = definitions
    doc["oneOf"] = [_method_variant(m, kind, with_id) for m in methods]
    doc["title"] = title
    return doc


REQUEST_ID = {"anyOf": [{"type": "string"}, {"format": "int64", "type": "integer"}]}


def _definition(tp: Any) -> dict[str, Any]:
    doc = type_schema(tp)
    doc.pop("$schema", None)
    return doc


def _all_types() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for group in (CLIENT_REQUESTS, SERVER_NOTIFICATIONS, SERVER_REQUESTS):
        for method in group:
            for tp in (method.params, method.result):
                if tp is not None:
                    found.append((method.folder, tp))
    return found


def _lift_definitions(doc: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    inner = doc.pop("definitions", {})
    for name, value in inner.items():
        into.setdefault(name, value)
    return doc


def build() -> dict[Path, dict[str, Any]]:
    """Every document of the bundle, by path relative to the output folder."""
    out = Path()
    files: dict[Path, dict[str, Any]] = {}
    bundle_defs: dict[str, Any] = {}
    for folder, tp in _all_types():
        doc = type_schema(tp)
        files[out / folder / f"{type_name(tp)}.json"] = doc
        copy = json.loads(json.dumps(doc))
        copy.pop("$schema", None)
        bundle_defs[type_name(tp)] = _lift_definitions(copy, bundle_defs)
    maps = {
        "ClientRequest": _method_map("ClientRequest", CLIENT_REQUESTS, "Request", True),
        "ServerNotification": _method_map(
            "ServerNotification", SERVER_NOTIFICATIONS, "Notification", False
        ),
        "ServerRequest": _method_map("ServerRequest", SERVER_REQUESTS, "Request", True),
        "ClientNotification": _method_map(
            "ClientNotification", CLIENT_NOTIFICATIONS, "Notification", False
        ),
    }
    for name, doc in maps.items():
        files[out / f"{name}.json"] = doc
        copy = json.loads(json.dumps(doc))
        copy.pop("$schema", None)
        bundle_defs[name] = _lift_definitions(copy, bundle_defs)
    files[out / "RequestId.json"] = {"$schema": DRAFT_07, **REQUEST_ID, "title": "RequestId"}
    bundle_defs["RequestId"] = REQUEST_ID
    files[out / BUNDLE_V2] = {
        "$schema": DRAFT_07,
        "definitions": dict(sorted(bundle_defs.items())),
        "title": "CodexAppServerProtocolV2",
        "type": "object",
    }
    return files


def generate(out: Path) -> list[Path]:
    """Write the whole bundle under ``out``; returns the files written."""
    written = []
    for relative, doc in sorted(build().items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
