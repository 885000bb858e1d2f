"""On real release schemas: the vendored bundles (each held to what its release's binary
generates by tests/conformance/test_bundles.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conformance.compat.cli import main
from conformance.compat.diff import compare
from conformance.compat.loader import load
from conformance.compat.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "schema" / "reference"


@pytest.fixture(scope="module")
def release_schemas() -> dict[str, Path]:
    return {version: ROOT / "schema" / "codex" / version for version in ("0.133.0", "0.163.0",
                                                                          "0.169.0")}  # fmt: skip


def test_a_release_against_itself_has_no_findings(release_schemas: dict[str, Path]) -> None:
    schema = load(str(release_schemas["0.163.0"]))
    assert compare(schema, schema) == []


def test_0_133_to_0_163_is_stable_and_explained(release_schemas: dict[str, Path]) -> None:
    old, new = load(str(release_schemas["0.133.0"])), load(str(release_schemas["0.163.0"]))
    first = [f.to_json() for f in compare(old, new)]
    second = [f.to_json() for f in compare(old, new)]
    assert first == second  # stable report
    assert first, "0.133.0 -> 0.163.0 changed the protocol: findings expected"
    for finding in first:
        assert finding["rule"] in RULES and finding["message"] and finding["path"]
    rules = Counter(f["rule"] for f in first)
    # Known shape of this release pair: a removed method, new methods, new variants.
    assert rules["CMP001"] >= 1 and rules["CMP002"] >= 10 and rules["CMP040"] >= 1
    assert any(f["path"] == "ClientRequest.thread/rollback" for f in first)


def test_our_schema_is_compatible_with_real_0_163_on_our_surface(
    release_schemas: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    code = main(
        [
            str(release_schemas["0.163.0"]),
            str(REFERENCE),
            "--surface-of",
            str(REFERENCE),
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    report = json.loads(out.read_text())
    assert code == 0, [f for f in report["findings"] if f["level"] == "ERROR"]


def test_schema_is_compatible_with_its_last_release() -> None:
    assert main([str(ROOT / "schema" / "reference-0.1.0"), str(REFERENCE)]) == 0


def test_0_163_to_0_169_adds_optional_account_fields_as_info(
    release_schemas: dict[str, Path],
) -> None:
    """What made the kit cry wolf (issue #10): the gate rates the new optional fields INFO."""
    old, new = load(str(release_schemas["0.163.0"])), load(str(release_schemas["0.169.0"]))
    added = {
        f.path: f.to_json()["level"]
        for f in compare(old, new)
        if f.path.startswith("GetAccountResponse.") and f.path.endswith(("userId", "workspaceName"))
    }
    assert added == {
        "GetAccountResponse.account.oneOf[chatgpt].workspaceName": "INFO",
        "GetAccountResponse.userId": "INFO",
    }
