"""End-to-end fixtures: real codex releases from PyPI, a fresh CODEX_HOME each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.releases import codex_binary
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer

Launch = Callable[..., AppServer]


@pytest.fixture(scope="session")
def codex_163() -> Path:
    return codex_binary("0.163.0")


@pytest.fixture(scope="session")
def codex_133() -> Path:
    return codex_binary("0.133.0")


@pytest.fixture
def codex_home(tmp_path: Path) -> Path:
    home = tmp_path / "codex-home"
    home.mkdir()
    return home


@pytest.fixture
def launch(codex_home: Path, mock_tenant: MockTenant) -> Iterator[Launch]:
    """Start ``binary app-server`` attached to this test's tenant (proxy or override)."""
    started: list[AppServer] = []

    def _launch(binary: Path, mode: str = "proxy") -> AppServer:
        env = mock_tenant.proxy_env() if mode == "proxy" else mock_tenant.override_env(codex_home)
        server = AppServer.stdio([str(binary), "app-server"], env, codex_home)
        started.append(server)
        server.initialize()
        return server

    yield _launch
    for server in started:
        server.close()
