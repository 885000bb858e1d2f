"""Tests drive servers through the kit's own client: ``conformance.transport`` starts and
ends the process (its whole process group, whatever happens) and
``conformance.session.Session`` speaks to it, judging every message on the way.

:class:`AppServer` is a test's handle on one server: that session, plus the few
shortcuts tests repeat. A wait that comes to nothing raises the session's ``Stop``,
which names what was awaited and shows the last messages and the server's stderr.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from conformance.bundles import vendored
from conformance.session import Session
from conformance.transport import ServerProcess, StdioTransport, WebSocketTransport

Message = dict[str, Any]
TIMEOUT = 20.0
#: The bundle messages are judged by: the release the tests run and the reference server claims.
SCHEMA_VERSION = "0.163.0"
NO_PARAMS: Any = object()
#: How every Python traceback begins.
TRACEBACK = "Traceback (most recent call last)"


def server_env(extra: dict[str, str], codex_home: Path) -> dict[str, str]:
    """Ours minus proxy settings, then ``extra`` (the mock's attachment), CODEX_HOME and a
    HOME of its own beside it (commands run through ``bash -lc``, which must not read the
    machine's profile: see ``conformance.target.Target.environment``)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(extra)
    env["CODEX_HOME"] = str(codex_home)
    user_home = codex_home.parent / "user-home"
    user_home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(user_home)
    env.setdefault("RUST_LOG", "warn")
    return env


class AppServer:
    def __init__(self, session: Session, codex_home: Path, url: str | None = None) -> None:
        self.session = session
        self.codex_home = codex_home
        #: The websocket's address, for a server started with ``--listen``.
        self.url = url

    @classmethod
    def stdio(
        cls, argv: Sequence[str], env: dict[str, str], codex_home: Path, cwd: Path | None = None
    ) -> AppServer:
        """``argv`` on JSON lines over stdio."""
        process = ServerProcess(argv, server_env(env, codex_home), cwd or codex_home)
        return cls(Session(StdioTransport(process), vendored(SCHEMA_VERSION)), codex_home)

    @classmethod
    def websocket(cls, argv: Sequence[str], env: dict[str, str], codex_home: Path) -> AppServer:
        """``argv --listen ws://127.0.0.1:PORT``, spoken to over the websocket."""
        url = f"ws://127.0.0.1:{_free_port()}"
        process = ServerProcess(
            [*argv, "--listen", url],
            server_env(env, codex_home),
            codex_home,
            stdout=subprocess.DEVNULL,
        )
        try:
            transport = WebSocketTransport(url, process)
        except Exception:
            process.stop()
            raise
        return cls(Session(transport, vendored(SCHEMA_VERSION)), codex_home, url)

    @property
    def process(self) -> ServerProcess:
        process = self.session.transport.process
        assert process is not None
        return process

    def initialize(self, experimental: bool = False) -> Message:
        """The handshake (``initialize``, then ``initialized``); the answer as it came."""
        return self.session.handshake("kit-tests", experimental, TIMEOUT)

    def call(self, method: str, params: Any = NO_PARAMS, timeout: float = TIMEOUT) -> Message:
        """A request (without a ``params`` member unless given), and its answer."""
        if params is NO_PARAMS:
            request_id = self.session.request(method)
        else:
            request_id = self.session.request(method, params)
        return self.session.response(request_id, timeout)

    def notification(self, method: str, timeout: float = TIMEOUT) -> Message:
        return self.session.expect(
            lambda m: m.get("method") == method and "id" not in m,
            f"the notification {method}",
            timeout,
        )

    def server_request(self, method: str, timeout: float = TIMEOUT) -> Message:
        return self.session.expect(
            lambda m: m.get("method") == method and "id" in m,
            f"the server request {method}",
            timeout,
        )

    def notifications(self, method: str) -> list[Message]:
        """Notifications of ``method`` that have arrived and nobody has taken yet."""
        self.session.drain()
        return [m for m in self.session.unconsumed() if m.get("method") == method and "id" not in m]

    def close(self) -> None:
        self.session.close()

    def tracebacks(self) -> list[str]:
        """The Python tracebacks on the server's stderr, each from its first line on.

        Read once the server has been closed (its stderr is then read to the end); the
        kept tail is bounded (the last 200 lines), which a quiet server never fills.
        """
        return python_tracebacks(self.process.stderr_tail(200))

    def __enter__(self) -> AppServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def python_tracebacks(lines: Sequence[str]) -> list[str]:
    """Each traceback in ``lines``, its lines joined, up to the next traceback."""
    found: list[list[str]] = []
    for line in lines:
        if TRACEBACK in line:
            found.append([])
        if found:
            found[-1].append(line)
    return ["\n".join(block) for block in found]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
