"""On real release schemas, generated at test time from PyPI's openai-codex-cli-bin."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conformance.compat.cli import main
from conformance.compat.diff import compare
from conformance.compat.loader import load
from conformance.compat.rules import RULES
from conformance.releases import generate_schema

pytestmark = pytest.mark.real_binary
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def release_schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for version in ("0.133.0", "0.163.0"):
        out[version] = generate_schema(version, tmp_path_factory.mktemp(f"schema-{version}"))
    return out


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
            str(ROOT / "schema"),
            "--surface-of",
            str(ROOT / "schema"),
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    report = json.loads(out.read_text())
    assert code == 0, [f for f in report["findings"] if f["level"] == "ERROR"]


def test_schema_is_compatible_with_its_last_release() -> None:
    assert main([str(ROOT / "compat" / "schema-0.1.0"), str(ROOT / "schema")]) == 0
