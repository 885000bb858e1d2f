"""A reference server on raw pipes, for tests that send what the kit's client would not
(bytes that are not UTF-8, lines of megabytes) and read every line it writes.

All of stderr is kept (a traceback early in a long run must not scroll away), stdout
lines are queued as they come, and a watchdog kills the process group after
:data:`WATCHDOG` seconds, so a server that stops reading cannot hang a test on a write.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

TIMEOUT = 20.0
WATCHDOG = 90.0
TRACEBACK = b"Traceback (most recent call last)"


@contextmanager
def dead_backend() -> Iterator[tuple[dict[str, str], list[str]]]:
    """A clean environment and ``-c`` overrides that send every backend call (logins,
    refreshes, the model) to a loopback port bound and never listened on: refused at
    once, never off this machine, whatever a request manages to start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        env = {
            "PATH": "/usr/bin:/bin",
            "CODEX_APP_SERVER_LOGIN_ISSUER": url,
            "CODEX_REFRESH_TOKEN_URL_OVERRIDE": f"{url}/oauth/token",
            "CODEX_REVOKE_TOKEN_URL_OVERRIDE": f"{url}/oauth/revoke",
            "HTTP_PROXY": url,
            "HTTPS_PROXY": url,
        }
        overrides = [
            f"chatgpt_base_url={url}/backend-api/",
            f"openai_base_url={url}/v1",
            "model_providers.openai.request_max_retries=0",
            "model_providers.openai.stream_max_retries=0",
        ]
        yield env, [arg for item in overrides for arg in ("-c", item)]


class RawServer:
    """The server on raw pipes: stdout lines queued as they come, all of stderr kept."""

    def __init__(self, argv: list[str], env: dict[str, str], home: Path) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**env, "CODEX_HOME": str(home)},
            cwd=home,
            start_new_session=True,
        )
        self.expired = False
        self._watchdog = threading.Timer(WATCHDOG, self._expire)
        self._watchdog.start()
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.stderr = bytearray()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True),
            threading.Thread(target=self._keep_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _expire(self) -> None:
        self.expired = True
        self._kill_group()

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self.lines.put(raw.rstrip(b"\n"))
        self.lines.put(None)

    def _keep_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.stderr += raw

    def listening(self) -> str:
        """The websocket's address, once the server has announced it on stderr."""
        deadline = time.monotonic() + TIMEOUT
        while (found := re.search(rb"listening on (ws://\S+)", self.stderr)) is None:
            assert self.proc.poll() is None and time.monotonic() < deadline, self.stderr_tail()
            time.sleep(0.02)
        return found.group(1).decode()

    def stderr_tail(self) -> str:
        """Where the trouble is: the first traceback, or else the last of stderr."""
        at = self.stderr.find(TRACEBACK)
        start = max(0, at - 300) if at >= 0 else max(0, len(self.stderr) - 3000)
        text = self.stderr[start : start + 3000].decode("utf-8", "replace")
        return f"(killed after {WATCHDOG:g} s)\n{text}" if self.expired else text

    def write(self, lines: list[bytes]) -> None:
        assert self.proc.stdin is not None
        try:
            for line in lines:
                self.proc.stdin.write(line + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            code = self.proc.wait(TIMEOUT)
            raise AssertionError(f"the server ended (exit {code}):\n{self.stderr_tail()}") from None

    def end_input(self) -> int:
        """Close stdin; the exit status, once the server and its output have ended."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            code = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {TIMEOUT:g} s after stdin closed") from None
        for reader in self._readers:
            reader.join(TIMEOUT)
        return code

    def kill(self) -> None:
        """The whole process group, whatever became of its leader; then the pipes."""
        self._watchdog.cancel()
        self._kill_group()
        self.proc.wait(TIMEOUT)
        for reader in self._readers:
            reader.join(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
