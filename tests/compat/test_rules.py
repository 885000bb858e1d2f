"""Every rule, in both directions, on small synthetic schemas."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.compat.diff import compare
from conformance.compat.loader import load, method_map
from conformance.compat.rules import Level

OBJ: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "count": {"type": "integer"},
        "note": {"type": ["string", "null"]},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "kind": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"type": {"type": "string", "enum": ["x"]}},
                    "required": ["type"],
                    "title": "X",
                },
                {
                    "type": "object",
                    "properties": {"type": {"type": "string", "enum": ["y"]}},
                    "required": ["type"],
                    "title": "Y",
                },
            ]
        },
    },
    "required": ["id", "count"],
}


def schema_folder(
    tmp: Path,
    name: str,
    c2s: dict[str, Any],
    s2c: dict[str, Any],
    methods: tuple[str, ...] = ("x/do",),
) -> str:
    folder = tmp / name
    folder.mkdir()
    definitions = {
        "DoParams": c2s,
        "DoResponse": s2c,
        "ClientRequest": {
            "oneOf": [
                {
                    "properties": {
                        "method": {"enum": [m]},
                        "params": {"$ref": "#/definitions/DoParams"},
                    }
                }
                for m in methods
            ]
        },
        "ServerNotification": {"oneOf": []},
    }
    (folder / "bundle.schemas.json").write_text(json.dumps({"definitions": definitions}))
    return str(folder)


def change(node: dict[str, Any], edit: str) -> dict[str, Any]:
    node = copy.deepcopy(node)
    props = node["properties"]
    if edit == "add-required":
        props["extra"] = {"type": "string"}
        node["required"].append("extra")
    elif edit == "add-optional":
        props["extra"] = {"type": "string"}
    elif edit == "remove-required":
        del props["count"]
        node["required"].remove("count")
    elif edit == "remove-optional":
        del props["note"]
    elif edit == "make-required":
        node["required"].append("mode")
    elif edit == "make-optional":
        node["required"].remove("count")
    elif edit == "change-type":
        props["count"] = {"type": "string"}
    elif edit == "widen-type":
        props["count"] = {"type": ["integer", "string"]}
    elif edit == "nullable":
        props["id"] = {"type": ["string", "null"]}
    elif edit == "non-nullable":
        props["note"] = {"type": "string"}
    elif edit == "enum-add":
        props["mode"]["enum"].append("c")
    elif edit == "enum-remove":
        props["mode"]["enum"].remove("b")
    elif edit == "variant-add":
        props["kind"]["oneOf"].append(
            {
                "type": "object",
                "properties": {"type": {"type": "string", "enum": ["z"]}},
                "title": "Z",
            }
        )
    elif edit == "variant-remove":
        props["kind"]["oneOf"].pop()
    elif edit == "describe":
        node["description"] = "now documented"
        props["id"]["description"] = "the id"
    elif edit == "reorder":
        node["properties"] = dict(reversed(list(props.items())))
        node["required"] = list(reversed(node["required"]))
    elif edit == "rename":
        props["identifier"] = props.pop("id")
        node["required"] = ["identifier", "count"]
    return node


# edit, rule, level when clients send the type, level when servers send it
CASES = [
    ("add-required", "CMP010", Level.ERROR, Level.INFO),
    ("add-optional", "CMP015", Level.INFO, Level.INFO),
    ("remove-required", "CMP011", Level.WARN, Level.ERROR),
    ("remove-optional", "CMP014", Level.WARN, Level.WARN),
    ("make-required", "CMP012", Level.ERROR, Level.INFO),
    ("make-optional", "CMP013", Level.INFO, Level.ERROR),
    ("change-type", "CMP020", Level.ERROR, Level.ERROR),
    ("nullable", "CMP021", Level.INFO, Level.ERROR),
    ("non-nullable", "CMP022", Level.ERROR, Level.INFO),
    ("enum-add", "CMP030", Level.INFO, Level.ERROR),
    ("enum-remove", "CMP031", Level.ERROR, Level.INFO),
    ("variant-add", "CMP040", Level.INFO, Level.ERROR),
    ("variant-remove", "CMP041", Level.ERROR, Level.INFO),
]


@pytest.mark.parametrize(("edit", "rule", "c2s_level", "s2c_level"), CASES)
@pytest.mark.parametrize("side", ["c2s", "s2c"])
def test_rule_by_direction(
    tmp_path: Path, edit: str, rule: str, c2s_level: Level, s2c_level: Level, side: str
) -> None:
    changed = change(OBJ, edit)
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ))
    new = load(
        schema_folder(
            tmp_path, "new", changed if side == "c2s" else OBJ, changed if side == "s2c" else OBJ
        )
    )
    findings = compare(old, new)
    assert [f.rule for f in findings] == [rule], [f.to_json() for f in findings]
    assert findings[0].level is (c2s_level if side == "c2s" else s2c_level)
    assert findings[0].path.startswith("DoParams" if side == "c2s" else "DoResponse")


def test_widening_a_client_sent_type_is_not_reported(tmp_path: Path) -> None:
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ))
    new = load(schema_folder(tmp_path, "new", change(OBJ, "widen-type"), OBJ))
    assert compare(old, new) == []
    server_widened = load(schema_folder(tmp_path, "new2", OBJ, change(OBJ, "widen-type")))
    assert [f.rule for f in compare(old, server_widened)] == ["CMP020"]


@pytest.mark.parametrize("edit", ["describe", "reorder"])
def test_descriptions_and_order_are_not_changes(tmp_path: Path, edit: str) -> None:
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ))
    new = load(schema_folder(tmp_path, "new", change(OBJ, edit), change(OBJ, edit)))
    assert compare(old, new) == []


def test_rename_is_removal_plus_addition_with_a_hint(tmp_path: Path) -> None:
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ))
    new = load(schema_folder(tmp_path, "new", OBJ, change(OBJ, "rename")))
    findings = {f.rule: f for f in compare(old, new)}
    assert set(findings) == {"CMP011", "CMP010"}
    assert findings["CMP011"].hint == "renamed to 'identifier'?"
    assert findings["CMP010"].hint == "renamed from 'id'?"


def test_methods_removed_and_added(tmp_path: Path) -> None:
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ, ("x/do", "x/old")))
    new = load(schema_folder(tmp_path, "new", OBJ, OBJ, ("x/do", "x/new")))
    findings = [(f.rule, f.path, f.level) for f in compare(old, new)]
    assert ("CMP001", "ClientRequest.x/old", Level.ERROR) in findings
    assert ("CMP002", "ClientRequest.x/new", Level.INFO) in findings


def test_experimental_changes_are_info_unless_strict(tmp_path: Path) -> None:
    unstable = copy.deepcopy(OBJ)
    unstable["description"] = "[UNSTABLE] internal only"
    old = load(schema_folder(tmp_path, "old", unstable, OBJ))
    new = load(schema_folder(tmp_path, "new", change(unstable, "add-required"), OBJ))
    (finding,) = compare(old, new)
    assert finding.experimental
    assert finding.effective_level(strict_experimental=False) is Level.INFO
    assert finding.effective_level(strict_experimental=True) is Level.ERROR


def test_ref_target_change_and_cycles(tmp_path: Path) -> None:
    def folder(name: str, target: str) -> str:
        node = {
            "type": "object",
            "properties": {
                "next": {"anyOf": [{"$ref": f"#/definitions/{target}"}, {"type": "null"}]},
                "value": {"type": "string"},
            },
        }
        path = tmp_path / name
        path.mkdir()
        definitions = {
            "DoParams": {"$ref": f"#/definitions/{target}"},
            target: node,
            "ClientRequest": {
                "oneOf": [
                    {
                        "properties": {
                            "method": {"enum": ["x/do"]},
                            "params": {"$ref": "#/definitions/DoParams"},
                        }
                    }
                ]
            },
        }
        (path / "b.schemas.json").write_text(json.dumps({"definitions": definitions}))
        return str(path)

    findings = compare(load(folder("old", "Node")), load(folder("new", "NodeV2")))
    assert {f.rule for f in findings} == {"CMP050"}


def test_two_values_added_to_one_enum_are_two_findings(tmp_path: Path) -> None:
    """As 0.169.0 added both `sci` and `sci_plus` to PlanType: one path, two changes."""
    old = load(schema_folder(tmp_path, "old", OBJ, OBJ))
    both = change(change(OBJ, "enum-add"), "enum-add")
    both["properties"]["mode"]["enum"][-1] = "d"
    new = load(schema_folder(tmp_path, "new", OBJ, both))
    found = [(f.rule, f.path, f.message) for f in compare(old, new)]
    assert found == [
        ("CMP030", "DoResponse.mode", "enum value 'c' added"),
        ("CMP030", "DoResponse.mode", "enum value 'd' added"),
    ]


def test_method_map_reads_refs_and_ignores_a_ref_that_is_not_a_string() -> None:
    """The one reading of a method map (the kit's schema check uses it too): a params
    ``$ref``, one inside ``anyOf [$ref, null]``, no params, and a malformed ``$ref``."""

    def variant(method: str, params: Any = None) -> dict[str, Any]:
        props: dict[str, Any] = {"method": {"enum": [method]}}
        if params is not None:
            props["params"] = params
        return {"properties": props}

    document = {
        "oneOf": [
            variant("a", {"$ref": "#/definitions/A"}),
            variant("b", {"anyOf": [{"$ref": "#/definitions/v2/B"}, {"type": "null"}]}),
            variant("c"),
            variant("d", {"$ref": 7}),
        ]
    }
    assert method_map(document) == {"a": "A", "b": "B", "c": None, "d": None}
