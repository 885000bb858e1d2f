"""A run cut short says so and leaves nothing behind; the server's own schema is made once
per run, shared by the workers and removed with the run."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.scenario import CATALOG

from .conftest import REFERENCE, RELAY
from .test_process_hygiene import alive

#: What may stay in TMPDIR after a run: pytest's own base folder (xdist makes it, and
#: pytest keeps the last three) and the kit's machine-wide lock files (kept on purpose).
ALLOWED = ("pytest-of-",)


def leftovers(tmp: Path) -> list[str]:
    return sorted(
        p.name for p in tmp.iterdir() if not p.name.startswith(ALLOWED) and p.suffix != ".lock"
    )


def start_run(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path, Path]:
    tmp = tmp_path / "tmp"
    pids = tmp_path / "pids"
    tmp.mkdir()
    pids.mkdir()
    stubborn = [sys.executable, str(RELAY), "ignore-sigterm", "--", *REFERENCE]
    env = {**os.environ, "TMPDIR": str(tmp), "RELAY_PID_DIR": str(pids)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance", "--app-server", shlex.join(stubborn),
         "--conformance-json", str(tmp_path / "report.json"),
         "--conformance-markdown", str(tmp_path / "report.md"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    return proc, tmp, pids


def wait_for_servers(pids: Path, count: int) -> None:
    """Until the run has started ``count`` relays (so that scenarios are under way)."""
    deadline = time.monotonic() + 120
    while len(list(pids.glob("*.pids"))) < count:
        assert time.monotonic() < deadline, "the run started no servers"
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_writes_a_partial_report_and_leaves_nothing(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """It wrote "24 of 24 scenarios", complete to the eye; SIGTERM left its temp folders."""
    proc, tmp, pids = start_run(tmp_path, "-n", "2")
    try:
        wait_for_servers(pids, 6)
        proc.send_signal(sig)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2, output[-3000:]
    how = "SIGTERM" if sig == signal.SIGTERM else "Ctrl-C"
    data = json.loads((tmp_path / "report.json").read_text())
    assert (data["partial"], data["interrupted"], data["verdict"]) == (True, how, "partial")
    size = len(list(CATALOG.glob("*.yaml")))
    assert data["summary"]["total"] < data["summary"]["selected"] == size
    assert f"PARTIAL: interrupted ({how}) after {data['summary']['total']} of {size}" in output
    assert (
        (tmp_path / "report.md")
        .read_text()
        .startswith(f"## App-server conformance: ⚠️ partial: interrupted ({how})")
    )
    assert leftovers(tmp) == []
    started = [int(p) for f in pids.glob("*.pids") for p in f.read_text().split()]
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in started if alive(pid)] == []


def test_a_complete_run_is_not_partial(tmp_path: Path) -> None:
    proc, tmp, _ = start_run(tmp_path, "-k", "handshake-required")
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output[-3000:]
    data = json.loads((tmp_path / "report.json").read_text())
    assert (data["partial"], data["interrupted"], data["verdict"]) == (False, None, "passed")
    assert leftovers(tmp) == []


def test_the_servers_own_schema_is_generated_once_per_run_and_removed(tmp_path: Path) -> None:
    """Every worker generated it again and left ~4.7 MB behind in a temp folder."""
    log = tmp_path / "generated"
    wrapper = tmp_path / "server.py"
    wrapper.write_text(
        "import os, sys\n"
        "if sys.argv[1:2] == ['generate-json-schema']:\n"
        f"    open({str(log)!r}, 'a').write('generated\\n')\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'reference_server', 'app-server', "
        "*sys.argv[1:]])\n"
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--app-server", f"{sys.executable} {wrapper}",
         "--conformance-own-schema", "-n", "2", "-k",
         "handshake-required or unknown-method or account-read-logged-out or api-key-login",
         "--conformance-json", str(tmp_path / "report.json")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={**os.environ, "TMPDIR": str(tmp)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert log.read_text().splitlines() == ["generated"]
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["schema_reason"] == "--conformance-own-schema: the server's own schema"
    assert data["summary"]["passed"] == data["summary"]["total"] >= 4
    assert leftovers(tmp) == []
