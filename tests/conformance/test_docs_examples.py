"""The pages a user pastes from work as pasted: the scenario of docs/writing-scenarios.md
against the reference server and codex 0.163.0, and the workflow of docs/ci.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conformance.scenario import ScenarioFileError, load

DOCS = Path(__file__).resolve().parents[2] / "docs"
BIN = Path(sys.executable).parent


def blocks(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / page).read_text(), re.S)


def test_the_writing_scenarios_example_runs_as_pasted(tmp_path: Path) -> None:
    scenario, *_ = blocks("writing-scenarios.md", "yaml")
    (commands,) = blocks("writing-scenarios.md", "sh")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "my-sign-in.yaml").write_text(scenario)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-e", "-c", commands], capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    done = "1 passed, 0 failed, 0 xfailed, 0 skipped of 1 scenarios"
    assert proc.stdout.count(done) == 2, proc.stdout[-3000:]
    assert "(reports 0.163.0)" in proc.stdout
    assert "codex_cli_bin" in commands and "reference-app-server app-server" in commands


def test_the_load_error_the_page_shows_is_the_kits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, *_ = blocks("writing-scenarios.md", "yaml")
    path = tmp_path / "scenarios" / "my-sign-in.yaml"
    path.parent.mkdir()
    path.write_text(scenario.replace("account/login/start", "account/login/strat"))
    page = " ".join((DOCS / "writing-scenarios.md").read_text().split())
    shown = re.search(r"`(scenarios/my-sign-in.yaml: step 2 .*?account/login/start\?\))`", page)
    assert shown, "the page shows no load error"
    monkeypatch.chdir(tmp_path)  # paths are shown as given, relative to where the kit runs
    with pytest.raises(ScenarioFileError) as caught:
        load(Path("scenarios/my-sign-in.yaml"))
    assert str(caught.value).startswith(shown.group(1)), str(caught.value)


def test_the_ci_workflow_is_a_workflow_whose_commands_run(tmp_path: Path) -> None:
    (workflow,) = blocks("ci.md", "yaml")
    steps = yaml.safe_load(workflow)["jobs"]["conformance"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    install, judge = runs
    assert install == 'pip install "$KIT" openai-codex-cli-bin==0.163.0'
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-e", "-c", judge.rstrip() + " -k 'handshake or api-key-login'"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    for report in ("conformance.json", "conformance.html", "conformance.xml"):
        assert (tmp_path / report).is_file(), report
