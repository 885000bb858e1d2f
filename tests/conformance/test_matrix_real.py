"""The matrix end to end over two real releases: 0.163.0 from the venv, 0.133.0 from the
cache (installed at session start by tests/conftest.py). A few scenarios that tell the
two apart, each release judged with its packaged baseline; the gate between their
vendored bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.matrix.cli import main

pytestmark = [pytest.mark.real_binary, pytest.mark.slow, pytest.mark.timeout(600)]

CHOSEN = (
    "account-read-logged-out or (device-code-approved and not person) "
    "or (api-key-login and not missing and not replaces)"
)


def test_two_real_releases_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "matrix"
    code = main(["--releases", "0.163.0,0.133.0", "-k", CHOSEN, "-j", "2", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    data = json.loads((out / "matrix.json").read_text())
    old, new = data["releases"]
    assert (old["version"], old["source"], new["version"], new["source"]) == (
        "0.133.0", "pypi", "0.163.0", "venv",
    )  # fmt: skip
    assert old["baseline"] == "codex-0.133.0" and new["baseline"] == "codex-0.163.0"
    assert old["server_version"] == "0.133.0" and new["server_version"] == "0.163.0"
    # 0.133.0 predates workspaceRouting and onboardingEntrypoint: its baseline says so.
    assert old["scenarios"] == {
        "account-read-logged-out": "xfailed",
        "api-key-login": "passed",
        "device-code-approved": "xfailed",
    }
    assert "onboardingEntrypoint" in old["reasons"]["device-code-approved"]
    assert set(new["scenarios"].values()) == {"passed"}
    [step] = data["compat"]
    assert (step["from"], step["to"]) == ("0.133.0", "0.163.0")
    paths = {f["path"] for f in step["info"]}
    assert "AccountLoginCompletedNotification.onboardingEntrypoint" in paths
    page = (out / "matrix.html").read_text()
    assert 'data-outcome="xfailed"' in page and 'data-step="0.133.0..0.163.0"' in page
    assert "codex 0.133.0 (pypi): 1 passed, 2 xfailed in" in printed
