"""The server under test: how to start it (or reach it) and how to attach it to the mock.

Three shapes: a command the kit starts on stdio (``--app-server "codex app-server"``),
the same command started with ``--listen ws://127.0.0.1:PORT`` and spoken to over a
websocket (``--app-server-transport websocket``), or a websocket a user runs
(``--app-server-url ws://...``; the kit cannot give that one a fresh ``CODEX_HOME``,
so scenarios that need one are skipped, with the reason in the report).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mock_backend.tenant_handle import MockTenant

from .transport import ServerProcess, StdioTransport, Transport, TransportError, WebSocketTransport

TransportName = Literal["stdio", "websocket"]
AttachMode = Literal["proxy", "override"]

_VERSION = re.compile(r"^[^/\s]+/(\d+\.\d+\.\d+)")


class TargetError(ValueError):
    """The target cannot be used as given."""


@dataclass
class Target:
    argv: list[str] | None = None
    url: str | None = None
    transport: TransportName = "stdio"
    attach: AttachMode = "proxy"
    extra_env: dict[str, str] = field(default_factory=dict)
    term_grace: float = 3.0

    @classmethod
    def from_options(
        cls,
        command: str | None,
        url: str | None,
        transport: TransportName = "stdio",
        attach: AttachMode = "proxy",
    ) -> Target:
        if bool(command) == bool(url):
            raise TargetError("give exactly one of --app-server CMD and --app-server-url URL")
        if url:
            if not url.startswith(("ws://", "wss://")):
                raise TargetError(f"--app-server-url must be a ws:// or wss:// URL, not {url!r}")
            return cls(url=url, transport="websocket", attach=attach)
        assert command is not None
        argv = shlex.split(command)
        if not argv:
            raise TargetError("--app-server is empty")
        program, *args = argv
        # Servers run in their own CODEX_HOME: paths in the command mean the caller's folder.
        args = [str(Path(a).absolute()) if "/" in a and Path(a).exists() else a for a in args]
        return cls(argv=[_resolve(program), *args], transport=transport, attach=attach)

    @property
    def starts_processes(self) -> bool:
        return self.argv is not None

    @property
    def name(self) -> str:
        if self.url:
            return self.url
        assert self.argv is not None
        notes = [n for n in (self.transport, self.attach) if n not in ("stdio", "proxy")]
        return shlex.join(self.argv) + (f" ({', '.join(notes)})" if notes else "")

    def environment(self, tenant: MockTenant, home: Path) -> dict[str, str]:
        """The process environment: ours minus proxies, the mock's attachment, CODEX_HOME."""
        env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
        if self.attach == "override":
            env.update(tenant.override_env(home))
        else:
            env.update(tenant.proxy_env())
        env["CODEX_HOME"] = str(home)
        env.setdefault("RUST_LOG", "warn")
        env.update(self.extra_env)
        return env

    def connect(self, tenant: MockTenant, home: Path) -> Transport:
        if self.argv is None:
            assert self.url is not None
            return WebSocketTransport(self.url)
        env = self.environment(tenant, home)
        if self.transport == "websocket":
            port = _free_port()
            argv = [*self.argv, "--listen", f"ws://127.0.0.1:{port}"]
            process = ServerProcess(
                argv, env, home, stdout=subprocess.DEVNULL, term_grace=self.term_grace
            )
            try:
                return WebSocketTransport(f"ws://127.0.0.1:{port}", process)
            except TransportError:
                process.stop()
                raise
        return StdioTransport(ServerProcess(self.argv, env, home, term_grace=self.term_grace))


def _resolve(program: str) -> str:
    """An absolute path: servers start in their CODEX_HOME, not in the caller's folder."""
    if "/" in program:
        path = Path(program).expanduser().absolute()
        if not path.is_file():
            raise TargetError(f"--app-server: {program} does not exist")
        return str(path)
    found = shutil.which(program)
    if found is None:
        raise TargetError(f"--app-server: {program!r} is not on PATH")
    return found


def version_from_user_agent(user_agent: str) -> str | None:
    """``name/0.163.0 (...)`` → ``0.163.0``: the version a codex server reports."""
    match = _VERSION.match(user_agent)
    return match.group(1) if match else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
