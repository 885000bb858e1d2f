"""The matrix's schema gate names the method each finding belongs to, resolving result
types as the kit's judge does (:mod:`conformance.result_types`), so that findings on a
declared result type (no ``XParams`` -> ``XResponse`` pair) reach their surface."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.compat.loader import load
from conformance.matrix.compat_steps import compare_bundles, methods_by_type

VENDORED = Path(__file__).resolve().parents[2] / "conformance" / "vendored" / "0.171.0"


def test_declared_result_types_map_to_their_method() -> None:
    types = methods_by_type(load(str(VENDORED)))
    assert types["LogoutAccountResponse"] == "account/logout"
    assert types["ConfigRequirementsReadResponse"] == "configRequirements/read"
    assert types["ConfigWriteResponse"] in {
        "config/value/write",
        "config/batchWrite",
        "modelProvider/default/set",
    }
    assert types["GetAccountParams"] == "account/read"
    assert types["GetAccountResponse"] == "account/read"


def request(method: str, params: str | None = None) -> dict[str, object]:
    props: dict[str, object] = {"method": {"enum": [method]}}
    if params is not None:
        props["params"] = {"$ref": f"#/definitions/{params}"}
    return {"type": "object", "properties": props}


def bundle(folder: Path, logout_fields: dict[str, object]) -> Path:
    """A bundle of two requests: ``account/logout`` (no params; its result type is
    declared) and ``account/read`` (``GetAccountParams`` -> ``GetAccountResponse``)."""
    folder.mkdir()
    maps = {
        "ClientRequest": [request("account/logout"), request("account/read", "GetAccountParams")],
        "ServerNotification": [request("account/updated")],
    }
    for name, variants in maps.items():
        (folder / f"{name}.json").write_text(json.dumps({"title": name, "oneOf": variants}))
    types = {
        "GetAccountParams": {},
        "GetAccountResponse": {"userId": {"type": "string"}},
        "LogoutAccountResponse": logout_fields,
    }
    for name, fields in types.items():
        doc = {"title": name, "type": "object", "properties": fields}
        (folder / f"{name}.json").write_text(json.dumps(doc))
    return folder


def test_a_finding_on_a_declared_result_type_carries_its_method(tmp_path: Path) -> None:
    old = bundle(tmp_path / "old", {"ok": {"type": "boolean"}})
    new = bundle(tmp_path / "new", {"ok": {"type": "boolean"}, "note": {"type": "string"}})
    step = compare_bundles("1.0.0", old, "1.1.0", new)
    assert step.error is None
    found = [f for level in (step.errors, step.warnings, step.info) for f in level]
    assert [(f["path"], f["method"]) for f in found] == [
        ("LogoutAccountResponse.note", "account/logout")
    ]
