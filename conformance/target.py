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

from mock_backend.endpoints import LOOPBACK_HOSTS, attach_variables
from mock_backend.tenant_handle import MockTenant

from .transport import ServerProcess, StdioTransport, Transport, TransportError, WebSocketTransport

TransportName = Literal["stdio", "websocket"]
AttachMode = Literal["proxy", "override"]

_VERSION = re.compile(r"^[^/\s]+/(\d+\.\d+\.\d+)")

#: Variables outside codex's own prefixes that point a binary at other certificates.
CA_VARIABLES = frozenset(
    {"SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"}
)


def redirects(name: str) -> bool:
    """Whether a variable can send a server the kit starts elsewhere than the kit means:
    a proxy (``*_PROXY``), codex's or OpenAI's own settings (``CODEX_*``: home, issuer,
    token URLs, CA; ``OPENAI_*``: base URL, key), other CA files, or anything the mock
    backend's attach modes set. The kit removes them all, then sets its own."""
    upper = name.upper()
    return (
        upper.endswith("_PROXY")
        or upper.startswith(("CODEX_", "OPENAI_"))
        or upper in CA_VARIABLES
        or name in attach_variables()
    )


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
        if (command is None) == (url is None):
            raise TargetError("give exactly one of --app-server CMD and --app-server-url URL")
        if url is not None:
            if not url.startswith(("ws://", "wss://")):
                raise TargetError(f"--app-server-url must be a ws:// or wss:// URL, not {url!r}")
            check_loopback(url, "--app-server-url")
            return cls(url=url, transport="websocket", attach=attach)
        assert command is not None
        argv = shlex.split(command)
        if not argv:
            raise TargetError(
                '--app-server is empty (an unset variable? e.g. --app-server "$CODEX app-server")'
            )
        program, *args = argv
        # Servers run in their own CODEX_HOME: paths in the command mean the caller's folder.
        args = [
            str(Path(a).absolute()) if ("/" in a and Path(a).exists()) or Path(a).is_file() else a
            for a in args
        ]
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

    def removed_variables(self) -> list[str]:
        if self.argv is None:
            return []  # a server the user runs has the environment the user gave it
        return self._removed()

    def _removed(self) -> list[str]:
        """The names of the variables of the kit's own environment that its servers do not
        get (``redirects``), for the report; those given with ``extra_env`` are not removed."""
        return sorted(k for k in os.environ if redirects(k) and k not in self.extra_env)

    def set_variables(self) -> list[str]:
        """The names of the variables the kit sets for its servers (values vary per run)."""
        if self.argv is None:
            return []
        return sorted({*attach_variables(self.attach), "CODEX_HOME", "HOME", *self.extra_env})

    def environment(self, tenant: MockTenant, home: Path) -> dict[str, str]:
        """The process environment: ours minus every variable that redirects codex, then
        the mock's attachment, CODEX_HOME, a HOME of the scenario's own (beside CODEX_HOME)
        and what the user set (``extra_env``).

        HOME too: the commands a server runs for the model go through a login shell
        (``bash -lc``), which would read the user's profile; one that stalls (a version
        manager waiting on a lock, say) would time a scenario out for a reason that is
        nobody's fault in the protocol."""
        env = {k: v for k, v in os.environ.items() if not redirects(k)}
        if self.attach == "override":
            env.update(tenant.override_env(home))
        else:
            env.update(tenant.proxy_env())
        env["CODEX_HOME"] = str(home)
        user_home = home.parent / "user-home"
        user_home.mkdir(exist_ok=True)
        env["HOME"] = str(user_home)
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
        if path.is_dir():
            raise TargetError(
                f"--app-server: {program} is a directory, not a program (the codex binary "
                'is a file in it? e.g. --app-server "/path/to/codex app-server")'
            )
        if not path.is_file():
            raise TargetError(f"--app-server: {program} does not exist")
        if not os.access(path, os.X_OK):
            raise TargetError(f"--app-server: {program} is not executable")
        return str(path)
    found = shutil.which(program)
    if found is None:
        raise TargetError(f"--app-server: {program!r} is not on PATH")
    return found


def check_loopback(url: str, option: str) -> None:
    """The kit talks to this machine only: a URL elsewhere is a usage error."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK_HOSTS:
        raise TargetError(
            f"{option} must point at this machine (127.0.0.1, localhost or ::1), not {url!r}"
        )


def version_from_user_agent(user_agent: str) -> str | None:
    """``name/0.163.0 (...)`` → ``0.163.0``: the version a codex server reports."""
    match = _VERSION.match(user_agent)
    return match.group(1) if match else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
