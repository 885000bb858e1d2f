"""The core without pytest, as docs/conformance.md shows it, and the plugin's state kept
per run: two pytest runs in one process each report their own scenarios."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from .conftest import REFERENCE

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"


def docs_example() -> str:
    """The Python block of the "Without pytest" section, as a user would paste it."""
    section = DOCS.read_text(encoding="utf-8").split("## Without pytest", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/conformance.md has no Python example under 'Without pytest'"
    return match.group(1)


def test_the_docs_script_judges_a_server_without_pytest(tmp_path: Path) -> None:
    script = tmp_path / "check.py"
    script.write_text(docs_example())
    proc = subprocess.run(
        [sys.executable, str(script), shlex.join(REFERENCE)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    outcomes = {s["id"]: s["outcome"] for s in report["scenarios"]}
    assert len(outcomes) >= 5 and set(outcomes.values()) == {"passed"}, outcomes
    assert "api-key-login" in outcomes
    assert report["schema"] == "codex-0.163.0"
    assert f"0 failed, 0 xfailed, 0 skipped of {len(outcomes)} scenarios" in proc.stdout


def test_the_docs_script_imports_no_pytest(tmp_path: Path) -> None:
    """What the script imports from the kit works where pytest is not installed."""
    imports = "\n".join(
        line for line in docs_example().splitlines() if line.startswith(("from ", "import "))
    )
    code = f"{imports}\nimport sys\nprint('pytest' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "False"


TWO_RUNS = """
import json, sys
import pytest

server, first, second = sys.argv[1:]
for selection, out in ((first, "first.json"), (second, "second.json")):
    pytest.main(["-p", "no:cacheprovider", "-q", "--app-server", server, "-k", selection,
                 "--conformance-json", out])
"""


def test_two_runs_in_one_process_each_report_their_own_scenarios(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", TWO_RUNS, shlex.join(REFERENCE), "handshake-required",
         "unknown-method or logout-signed-out"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    first = json.loads((tmp_path / "first.json").read_text())
    second = json.loads((tmp_path / "second.json").read_text())
    assert [s["id"] for s in first["scenarios"]] == ["handshake-required"]
    assert [s["id"] for s in second["scenarios"]] == ["logout-signed-out", "unknown-method"]
    assert (first["summary"]["total"], second["summary"]["total"]) == (1, 2)
