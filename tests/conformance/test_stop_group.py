"""``transport.stop_group``: the one way the kit and the matrix end a process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from conformance.transport import stop_group


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_child_that_ignores_sigterm_goes_with_its_leader(tmp_path: Path) -> None:
    """The leader ends on SIGTERM; a child it left in the group ignores SIGTERM and still
    ends (SIGKILL to the group even when the leader has exited)."""
    pid_file = tmp_path / "child.pid"
    script = f"(trap '' TERM; sleep 60) & echo $! > {pid_file}; wait"
    proc = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    try:
        for _ in range(500):
            if pid_file.is_file() and pid_file.read_text().strip():
                break
            time.sleep(0.01)
        child = int(pid_file.read_text())
        stop_group(proc, grace=5.0)
        assert proc.returncode is not None
        for _ in range(500):
            if not alive(child):
                break
            time.sleep(0.01)
        assert not alive(child)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
