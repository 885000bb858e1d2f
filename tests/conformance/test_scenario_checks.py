"""Scenario files checked when loaded: method names against the schema bundles, ids used
once, paths as the user gave them, steps numbered from 1 at load and at run time alike."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.kit import Kit
from conformance.scenario import CATALOG, ScenarioFileError, load
from conformance.target import Target

from .conftest import REFERENCE, relay, scenario

TYPO = """\
title: My read
steps:
  - request: account/read
    params: {}
  - request: account/raed
    params: {}
"""


def kit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", "--app-server", shlex.join(REFERENCE), *args],
        capture_output=True, text=True, cwd=cwd, timeout=300, check=False,
    )  # fmt: skip


def test_a_misspelt_method_is_refused_at_load_naming_file_step_and_guess(
    tmp_path: Path,
) -> None:
    path = tmp_path / "my-read.yaml"
    path.write_text(TYPO)
    with pytest.raises(ScenarioFileError) as caught:
        load(path)
    assert str(caught.value).endswith(
        "my-read.yaml: step 2 (request): account/raed is not a client request of any vendored "
        "bundle (0.133.0, 0.163.0, 0.169.0, 0.171.0) (did you mean account/read?); a step "
        "sending it on purpose says `off_schema: true`"
    )
    path.write_text(TYPO.replace("account/raed\n", "account/raed\n    off_schema: true\n"))
    assert load(path).steps[1].value == "account/raed"
    path.write_text("title: t\nsteps:\n  - notification: account/updatd\n")
    with pytest.raises(ScenarioFileError, match="account/updatd is not a server notification"):
        load(path)


def test_the_catalogs_unknown_method_scenario_says_it_is_off_schema() -> None:
    text = (CATALOG / "unknown-method.yaml").read_text()
    assert "off_schema: true" in text
    assert load(CATALOG / "unknown-method.yaml").steps[0].value == "nope/nothing"


def test_a_misspelt_method_is_a_kit_fault_in_the_report_with_the_path_as_given(
    tmp_path: Path,
) -> None:
    """It reached the server and was blamed on it; the file was shown under the packaged
    catalog's path."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my-read.yaml").write_text(TYPO)
    out = tmp_path / "report.json"
    proc = kit(
        "--conformance-catalog", "mine", "-k", "handshake-required or my-read",
        "--conformance-json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "mine/my-read.yaml: step 2 (request): account/raed is not a client request" in (
        proc.stdout
    )
    data = json.loads(out.read_text())
    (error,) = data["errors"]
    assert (error["fault"], error["kind"]) == ("kit", "setup")
    assert error["message"].startswith("mine/my-read.yaml: step 2 (request): account/raed")
    assert data["verdict"] == "failed"
    assert "ERROR (kit fault): mine/my-read.yaml: step 2" in proc.stdout


def test_a_scenario_id_used_twice_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "handshake-required.yaml").write_text("title: mine\nsteps:\n  - sleep: 0\n")
    proc = kit("--conformance-catalog", "mine", cwd=tmp_path)
    assert proc.returncode == 4
    assert (
        "scenario id 'handshake-required' is defined twice: catalog/handshake-required.yaml "
        "and mine/handshake-required.yaml"
    ) in proc.stderr


def test_steps_are_numbered_from_1_at_load_and_at_run_time(tmp_path: Path) -> None:
    path = tmp_path / "numbered.yaml"
    path.write_text(
        "title: t\nsteps:\n  - request: account/read\n    params: {}\n"
        "  - request: account/read\n    params: {}\n    expect: {account: {type: apiKey}}\n"
    )
    with Kit(Target(argv=REFERENCE)) as running:
        result = running.run(load(path))
    (failure,) = result.failures
    assert failure.step == "step 2 request account/read"
    path.write_text(path.read_text() + "    within: 1\n")
    with pytest.raises(ScenarioFileError, match=r"numbered.yaml: step 2 \(request\): within"):
        load(path)
    path.write_text("title: t\nbackend:\n  - nope: 1\nsteps:\n  - sleep: 0\n")
    with pytest.raises(ScenarioFileError, match=r"numbered.yaml: backend setup 1: "):
        load(path)  # it said `backend.0`; a run says `backend setup 1`


def test_schema_failures_carry_their_step() -> None:
    """They came with `step: null`: the report could not say where."""
    with Kit(Target(argv=relay("wrong-type")), timeout=5.0) as running:
        result = running.run(scenario("api-key-login"))
    schema = [f for f in result.failures if f.kind == "schema"]
    assert schema, result.explain()
    assert all(f.step and f.step.startswith("step ") for f in schema), schema
