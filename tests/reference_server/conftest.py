"""Side-by-side fixtures: the same test runs against the real 0.163.0 binary and
against the reference server, both attached to the test's mock tenant."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.releases import codex_binary
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer

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
