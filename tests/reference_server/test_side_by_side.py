"""What the conformance catalog cannot say about the reference server.

Every behaviour both servers share on the wire is a scenario of the catalog
(``conformance/catalog/*.yaml``), run against the reference server and against the real
0.163.0 binary in ``tests/conformance/test_catalog.py``. What remains here needs two
different servers, or a command line, which a scenario (one server, one command) cannot
express:

- ``test_auth_json_is_shared_with_the_real_binary``: a login one implementation writes
  is read by the other, on the same CODEX_HOME (the catalog's
  ``auth-json-survives-restart`` restarts the same server).
- ``test_config_overrides_on_the_command_line``: ``-c key=value`` on the reference
  server's command line does what a ``config.toml`` line does (scenarios start the
  command the user gave, and cannot add flags to it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.releases import codex_binary
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer

from .conftest import REFERENCE, Start

DEVICE = {"type": "chatgptDeviceCode"}


@pytest.mark.real_binary
@pytest.mark.parametrize(("writer", "reader"), [("reference", "real"), ("real", "reference")])
def test_auth_json_is_shared_with_the_real_binary(
    start: Start, mock_tenant: MockTenant, tmp_path: Path, writer: str, reader: str
) -> None:
    argv = {"real": [str(codex_binary("0.163.0")), "app-server"], "reference": REFERENCE}
    home = tmp_path / "shared-home"
    mock_tenant.control.script(
        "approved", persona={"email": "both@example.com", "plan_type": "plus"}
    )
    first = start(argv[writer], home=home)
    first.call("account/login/start", DEVICE)
    assert first.notification("account/login/completed")["params"]["success"] is True
    first.notification("account/updated")
    first.close()
    second = start(argv[reader], home=home)
    account = second.call("account/read", {})["result"]["account"]
    assert account == {"type": "chatgpt", "email": "both@example.com", "planType": "plus"}


def test_config_overrides_on_the_command_line(mock_tenant: MockTenant, tmp_path: Path) -> None:
    """``-c key=value`` does what a config.toml line does (here: the override mode)."""
    base = mock_tenant.ready.config_toml.split("=", 1)[1].strip()
    argv = [*REFERENCE, "-c", f"chatgpt_base_url={base}"]
    mock_tenant.control.script("approved", persona={"email": "c@example.com"})
    with AppServer.stdio(argv, dict(mock_tenant.ready.override_env), tmp_path) as server:
        server.initialize()
        server.call("account/login/start", DEVICE)
        assert server.notification("account/login/completed")["params"]["success"] is True
    assert {e["via"] for e in mock_tenant.control.journal(route="accounts_check")} == {"direct"}
