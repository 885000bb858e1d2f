"""Side-by-side fixtures: the same test runs against the real 0.163.0 binary and
against the reference server, both attached to the test's mock tenant; ``chat`` starts
one signed in for a conversation with the mock's scripted model."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.releases import codex_binary
from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer
from tests.support.conversation import Chat, StartChat, sign_in

REFERENCE = [sys.executable, "-m", "reference_server", "app-server"]
SERVERS = {
    "real-0.163.0": lambda: [str(codex_binary("0.163.0")), "app-server"],
    "reference": lambda: REFERENCE,
}

Start = Callable[..., AppServer]


@pytest.fixture(params=sorted(SERVERS))
def server_argv(request: pytest.FixtureRequest) -> list[str]:
    argv: list[str] = SERVERS[request.param]()
    return argv


@pytest.fixture
def start(mock_tenant: MockTenant, tmp_path: Path) -> Iterator[Start]:
    """Start a server (by argv) with a CODEX_HOME; initialized unless told otherwise."""
    started: list[AppServer] = []

    def _start(argv: list[str], home: Path | None = None, initialize: bool = True) -> AppServer:
        codex_home = home or tmp_path / f"home-{len(started)}"
        codex_home.mkdir(exist_ok=True)
        server = AppServer.stdio(argv, mock_tenant.proxy_env(), codex_home)
        started.append(server)
        if initialize:
            server.initialize()
        return server

    yield _start
    for server in started:
        server.close()


@pytest.fixture
def chat(mock_tenant: MockTenant, mock_model: MockModel, tmp_path: Path) -> Iterator[StartChat]:
    """Start a signed-in server for a conversation: ``chat("reference", "-c", ...)``.

    The mock refuses the model websocket (426), so both servers talk HTTP. When the test
    ends, the kit's session must have found nothing wrong: every message validated against
    the vendored 0.163.0 bundle, no garbage lines, no stray answers; and the reference
    server's stderr must hold no Python traceback.
    """
    mock_model.settings(websocket="426")
    started: list[Chat] = []

    def _start(
        which: str,
        *extra: str,
        home: Path | None = None,
        signed_in: bool = True,
        mode: str = "proxy",
        experimental: bool = False,
    ) -> Chat:
        """``extra`` arguments go to the reference server only (0.163.0 refuses to start
        with ``model_providers.openai`` settings). ``mode="override"`` attaches through
        the issuer override instead of the proxy (a stream the mock cuts ends at once)."""
        codex_home = home or tmp_path / f"home-{len(started)}"
        codex_home.mkdir(exist_ok=True)
        if signed_in and not (codex_home / "auth.json").exists():
            sign_in(codex_home, mock_tenant)
        argv = [*SERVERS[which](), *(extra if which == "reference" else ())]
        env = (
            mock_tenant.override_env(codex_home) if mode == "override" else mock_tenant.proxy_env()
        )
        server = AppServer.stdio(argv, env, codex_home)
        session = Chat(which, server, codex_home, mock_model, mock_tenant)
        started.append(session)
        server.initialize(experimental)
        return session

    yield _start
    problems: list[str] = []
    for session in started:
        session.server.close()
        if session.which == "reference":  # whatever went wrong, never a traceback
            problems += [f"reference: stderr: {t}" for t in session.server.tracebacks()]
        # The kit's session judged every message by the vendored 0.163.0 bundle (and the
        # JSON-RPC and protocol rules); what the test sent wrong on purpose is the kit's.
        judged = session.server.session.all_problems()
        found = [str(p) for p in judged if p.fault != "kit"]
        problems += [f"{session.which}: {p}" for p in found]
    assert problems == [], (
        "what the kit's session found wrong (schema, JSON-RPC, rules, tracebacks):\n"
        + "\n".join(problems)
    )
