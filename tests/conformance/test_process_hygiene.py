"""No server process outlives a run, whatever the server does; a dead or silent server
fails the scenario with what was awaited, the last messages and the stderr tail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.kit import Kit
from conformance.target import Target

from .conftest import relay, scenario


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_server_that_ignores_sigterm_is_killed_with_its_children(tmp_path: Path) -> None:
    target = Target(
        argv=relay("ignore-sigterm"), extra_env={"RELAY_PID_DIR": str(tmp_path)}, term_grace=0.5
    )
    with Kit(target, timeout=5.0) as kit:
        result = kit.run(scenario("account-read-logged-out"))
        assert result.outcome == "passed", result.explain()
    pids = [int(p) for f in tmp_path.glob("*.pids") for p in f.read_text().split()]
    assert len(pids) == 4  # the probe's relay and server, the scenario's relay and server
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in pids if alive(pid)] == []


def test_a_silent_server_fails_with_what_was_awaited_and_the_context() -> None:
    with Kit(Target(argv=relay("hang")), timeout=1.0) as kit:
        result = kit.run(scenario("account-read-logged-out"))
    (failure,) = result.failures
    assert (failure.fault, failure.kind) == ("server", "hang")
    assert "nothing after 1 s waiting for the answer to account/read (id 2)" in failure.message
    assert "last messages:" in failure.message and '"method": "account/read"' in failure.message
    assert "stderr tail:" in failure.message


def test_a_server_that_exits_at_once_is_judged_once_with_its_exit_code(tmp_path: Path) -> None:
    """It cannot be judged at all: one environment failure, every scenario not run."""
    script = tmp_path / "dies.py"
    script.write_text("import sys\nprint('fatal: no config', file=sys.stderr)\nsys.exit(7)\n")
    with Kit(Target(argv=[sys.executable, str(script)]), timeout=5.0) as kit:
        results = [kit.run(scenario(s)) for s in ("handshake-required", "api-key-login")]
        report = kit.report(results)
    assert kit.unusable is not None
    assert (kit.unusable.fault, kit.unusable.kind) == ("environment", "setup")
    assert "ended before answering `initialize` (exit code 7)" in kit.unusable.message
    assert "fatal: no config" in kit.unusable.message
    for result in results:
        (failure,) = result.failures
        assert failure.message.startswith("not run: the server ended before answering")
    assert report.errors == [kit.unusable] and report.verdict == "failed"


def test_a_command_that_cannot_start_is_an_environment_fault(tmp_path: Path) -> None:
    not_executable = tmp_path / "server"
    not_executable.write_text("")
    not_executable.chmod(0o644)
    with Kit(Target(argv=[str(not_executable)]), timeout=5.0) as kit:
        result = kit.run(scenario("handshake-required"))
    (failure,) = result.failures
    assert (failure.fault, failure.kind) == ("environment", "setup")
    assert "cannot start" in failure.message


def test_an_interrupt_while_a_server_starts_still_finds_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or the kit's SIGTERM) landing inside `Popen`, after the fork, raised before
    the server was registered: nothing stopped it (a relay outlived an interrupted run)."""
    from conformance import transport

    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen_then_interrupted(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real_popen(*args, **kwargs))
        os.kill(os.getpid(), signal.SIGINT)  # as the terminal's Ctrl-C would, right now
        return started[-1]

    monkeypatch.setattr(transport.subprocess, "Popen", popen_then_interrupted)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            transport.ServerProcess([sys.executable, "-c", "import time; time.sleep(60)"],
                                    dict(os.environ), tmp_path)  # fmt: skip
        [server] = started
        assert server.pid in {p.proc.pid for p in transport._LIVE}
        transport.stop_all()
        assert server.poll() is not None
    finally:
        signal.signal(signal.SIGINT, previous)
        for server in started:
            if server.poll() is None:
                server.kill()
                server.wait()
            if server.stdout is not None:
                server.stdout.close()  # the transport's to close; there is none here
