"""``python -m mock_backend serve`` as a user runs it: started in a process of its own,
its one ready line read (bounded in time), stopped with SIGTERM as a shell's Ctrl-C or
``kill`` would, and never left running."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How long serve may take to print its ready line (it takes well under a second).
READY_SECONDS = 30.0


@dataclass
class Served:
    proc: subprocess.Popen[str]
    #: The ready line, parsed: ``issuer``, ``control``, ``env`` ... (docs/mock-backend.md).
    ready: dict[str, Any]


def serve_env(runtime_dir: Path) -> dict[str, str]:
    """This environment without proxy variables (serve's own would go through them), with
    ``XDG_RUNTIME_DIR`` where serve leaves the marker that ``mock-backend env`` finds."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["XDG_RUNTIME_DIR"] = str(runtime_dir)
    return env


def start(env: dict[str, str], *args: str) -> Served:
    """A running ``serve`` (with ``args``) whose ready line has been read; stop it with
    :func:`stop`. What it wrote to stderr is in the error when no ready line comes."""
    # A file, not a pipe: a pipe nobody reads could fill up and block serve.
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mock_backend", "serve", *args],
            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env,
        )  # fmt: skip
        served = Served(proc, {})
        try:
            assert proc.stdout is not None
            readable, _, _ = select.select([proc.stdout], [], [], READY_SECONDS)
            line = proc.stdout.readline() if readable else ""
            if not line:
                stderr.seek(0)
                said = stderr.read().decode(errors="replace")[-3000:]
                raise AssertionError(f"serve printed no ready line in {READY_SECONDS:g} s: {said}")
            served.ready = json.loads(line)
        except BaseException:
            stop(served)
            raise
    return served


def stop(served: Served) -> int:
    """SIGTERM unless it has ended already, then its exit status; the pipes are closed."""
    proc = served.proc
    try:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()  # never left running, even by a serve that ignores SIGTERM
                proc.wait(10)
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
    return proc.returncode


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[Served]:
    """:func:`start`, and :func:`stop` however the block ends."""
    served = start(env, *args)
    try:
        yield served
    finally:
        stop(served)
