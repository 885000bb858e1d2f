"""Does a release's ``app-server`` start at all? One ``initialize``, before the catalog.

A binary that cannot start (a missing shared library, another architecture, a crash on
start-up) would otherwise fail every scenario as a *server* fault; it is the machine's or
the download's problem, so the matrix says so once, as an ``environment`` fault with the
exit status and the stderr tail, and skips the catalog for that release. The check runs
in a throw-away ``CODEX_HOME`` with every proxy pointed at a closed loopback port, so
nothing the binary might try on start-up leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
from pathlib import Path

#: Where any request the binary tries goes: a closed port on loopback.
_NOWHERE = "http://127.0.0.1:9"
_INITIALIZE = {"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "matrix"}}}


def start_failure(binary: Path, timeout: float = 30.0) -> str | None:
    """Why ``binary app-server`` does not answer ``initialize``; None when it does."""
    with tempfile.TemporaryDirectory(prefix="codex-start-") as home:
        env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        env.update(CODEX_HOME=home, RUST_LOG="warn", NO_PROXY="")
        env.update({name: _NOWHERE for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")})
        stderr_path = Path(home) / "stderr.txt"
        with stderr_path.open("wb") as stderr:
            try:
                proc = subprocess.Popen(
                    [str(binary), "app-server"], cwd=home, env=env, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=stderr, start_new_session=True,
                )  # fmt: skip
            except OSError as exc:
                return f"`{binary} app-server` cannot be started: {exc}"
            try:
                answered = _answers(proc, timeout)
            finally:
                _stop(proc)
        if answered:
            return None
        code = proc.returncode
        how = (
            f"ended with exit code {code}"
            if code is not None and code >= 0
            else f"did not answer initialize within {timeout:.0f} s"
        )
        tail = " / ".join(stderr_path.read_text(errors="replace").strip().splitlines()[-3:])
        return f"`{binary.name} app-server` does not start: it {how}" + (
            f"; stderr: {tail[-400:]}" if tail else ""
        )


def _answers(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(json.dumps(_INITIALIZE).encode() + b"\n")
        proc.stdin.flush()
    except OSError:
        proc.wait(timeout=5)
        return False
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                break
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                proc.wait(timeout=5)
                return False
            buffer += chunk
            for line in buffer.split(b"\n")[:-1]:
                try:
                    if json.loads(line).get("id") == 1:
                        return True
                except (ValueError, AttributeError):
                    continue
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=grace)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
