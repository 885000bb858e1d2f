"""Drive an app-server process over JSON lines on stdio, for end-to-end tests.

A deliberately small client: send requests, wait for a message that matches,
with a deadline; on timeout the error names what was awaited and shows the last
messages and the stderr tail. The process is always ended (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

Message = dict[str, Any]


class AppServerError(AssertionError):
    pass


class AppServerProcess:
    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        codex_home: Path,
        cwd: Path | None = None,
    ) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        full_env.update(env)
        full_env["CODEX_HOME"] = str(codex_home)
        full_env.setdefault("RUST_LOG", "warn")
        self.codex_home = codex_home
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            cwd=cwd or codex_home,
            start_new_session=True,
        )
        self._messages: queue.Queue[Message | None] = queue.Queue()
        self.seen: list[Message] = []
        self._stderr: list[str] = []
        self._next_id = 0
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        try:
            for raw in self.proc.stdout:
                try:
                    self._messages.put(json.loads(raw))
                except ValueError:
                    self._messages.put({"_garbage": raw.decode("utf-8", "replace")})
        except (OSError, ValueError):
            pass
        self._messages.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        try:
            for raw in self.proc.stderr:
                self._stderr.append(raw.decode("utf-8", "replace").rstrip())
                del self._stderr[:-200]
        except (OSError, ValueError):
            pass

    def send(self, message: Message) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def request(self, method: str, params: Any = None) -> int:
        self._next_id += 1
        message: Message = {"id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._next_id

    def wait_for(
        self, predicate: Callable[[Message], bool], what: str, timeout: float = 20.0
    ) -> Message:
        for message in self.seen:
            if predicate(message):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AppServerError(
                    self._explain(f"timed out after {timeout} s waiting for {what}")
                )
            try:
                message = self._messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AppServerError(
                    self._explain(f"server exited ({self.proc.poll()}) while waiting for {what}")
                )
            if predicate(message):
                return message
            self.seen.append(message)

    def response(self, request_id: int, timeout: float = 20.0) -> Message:
        return self.wait_for(
            lambda m: m.get("id") == request_id and ("result" in m or "error" in m),
            f"the response to request {request_id}",
            timeout,
        )

    def call(self, method: str, params: Any = None, timeout: float = 20.0) -> Message:
        return self.response(self.request(method, params), timeout)

    def notification(self, method: str, timeout: float = 20.0) -> Message:
        return self.wait_for(
            lambda m: m.get("method") == method and "id" not in m,
            f"the notification {method}",
            timeout,
        )

    def initialize(self, experimental: bool = False) -> Message:
        params: Message = {"clientInfo": {"name": "kit-tests", "version": "0.1.0"}}
        if experimental:
            params["capabilities"] = {"experimentalApi": True}
        result = self.call("initialize", params)
        self.send({"method": "initialized"})
        return result

    def notifications(self, method: str) -> list[Message]:
        """Notifications of ``method`` seen so far (drains what has arrived)."""
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                break
            if message is None:
                break
            self.seen.append(message)
        return [m for m in self.seen if m.get("method") == method and "id" not in m]

    def _explain(self, headline: str) -> str:
        last = "\n".join(json.dumps(m)[:300] for m in self.seen[-8:])
        tail = "\n".join(self._stderr[-15:])
        return f"{headline}\nlast messages:\n{last}\nstderr tail:\n{tail}"

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        # The readers end at EOF now that the process is gone; then their pipes close.
        for reader in self._readers:
            reader.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> AppServerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
