"""``app-server-compat``: exit codes, formats, ignore file, git inputs, lint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conformance.compat.cli import main
from mock_backend.version import kit_version

from .test_rules import OBJ, change, schema_folder


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    old = schema_folder(tmp_path, "old", OBJ, OBJ)
    new = schema_folder(tmp_path, "new", change(OBJ, "add-required"), change(OBJ, "enum-add"))
    return old, new


def test_exit_codes(
    pair: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = pair
    assert main([old, old]) == 0
    assert main([old, new]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main([old, str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "junk.json").write_text("{nope")
    assert main([old, str(tmp_path / "junk.json")]) == 2
    assert "not a JSON document" in capsys.readouterr().err


def test_json_junit_markdown(pair: tuple[str, str], tmp_path: Path) -> None:
    old, new = pair
    out = tmp_path / "r.json"
    assert main([old, new, "--format", "json", "--output", str(out)]) == 1
    data = json.loads(out.read_text())
    assert data["passed"] is False
    assert data["kit_version"] == kit_version()
    assert data["counts"]["ERROR"] == 2
    assert {f["rule"] for f in data["findings"]} == {"CMP010", "CMP030"}
    assert main([old, new, "--format", "junit", "--output", str(out)]) == 1
    suite = ElementTree.parse(out).getroot()
    assert suite.get("failures") == "2"
    assert main([old, new, "--format", "markdown", "--output", str(out)]) == 1
    assert "| ERROR | CMP010 required-field-added |" in out.read_text()
    assert f"(codex-app-server-kit {kit_version()})" in out.read_text()


def test_ignore_file_and_stale_entries(pair: tuple[str, str], tmp_path: Path) -> None:
    old, new = pair
    ignores = tmp_path / "ignore.yaml"
    ignores.write_text(
        "- rule: CMP010\n  path: DoParams.*\n  reason: clients updated together\n"
        "- rule: CMP030\n  path: DoResponse.mode\n  reason: clients accept unknown modes\n"
    )
    assert main([old, new, "--ignore", str(ignores)]) == 0
    # Nothing to ignore any more: both entries are stale, and stale fails the gate.
    assert main([old, old, "--ignore", str(ignores)]) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("- rule: CMP010\n  path: x\n")
    assert main([old, new, "--ignore", str(bad)]) == 2


def test_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    run = lambda *a: subprocess.run(a, cwd=repo, check=True, capture_output=True)  # noqa: E731
    run("git", "init", "-q")
    schema_folder(repo, "schema", OBJ, OBJ)
    run("git", "add", ".")
    run("git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "v1")
    import os

    cwd = os.getcwd()
    os.chdir(repo)
    try:
        assert main(["git:HEAD:schema", "schema"]) == 0
        assert main(["git:nope:schema", "schema"]) == 2
    finally:
        os.chdir(cwd)


def test_lint_finds_snake_case_and_missing_descriptions(tmp_path: Path) -> None:
    snake = change(OBJ, "add-optional")
    snake["properties"]["plan_type"] = {"type": "string"}
    folder = schema_folder(tmp_path, "s", snake, OBJ)
    out = tmp_path / "lint.json"
    assert main([folder, folder, "--lint", "--format", "json", "--output", str(out)]) == 0
    rules = {(f["rule"], f["path"]) for f in json.loads(out.read_text())["findings"]}
    assert ("LNT001", "DoParams.plan_type") in rules
    assert ("LNT002", "DoParams") in rules
