"""Every login ends in ``account/login/completed``, whatever fails on the way.

Where the real binary's behaviour is known (``auth.json`` that cannot be written: a
directory stands in the way, since tests run as any user, root included), both servers
are held to it side by side; the rest concerns the reference server alone.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from mock_backend.tenant_handle import MockTenant
from reference_server.auth_store import AuthStore
from reference_server.backend_client import BackendClient
from reference_server.credentials import Credentials
from reference_server.handlers.login import KINDS
from reference_server.login.device_code import complete_device_login, request_device_code
from reference_server.login.logins import Logins
from reference_server.protocol.base import WireModel
from tests.support.in_process import mock_settings

from .conftest import REFERENCE, Start

DEVICE = {"type": "chatgptDeviceCode"}
IN_THE_WAY = "Is a directory (os error 21)"


def home_with_auth_json_in_the_way(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "auth.json" / "a-directory-not-a-file").mkdir(parents=True)
    return home


@pytest.mark.real_binary
def test_a_device_login_whose_auth_json_cannot_be_written_completes_with_the_reason(
    start: Start, server_argv: list[str], mock_tenant: MockTenant, tmp_path: Path
) -> None:
    mock_tenant.control.script("approved", persona={"email": "ro@example.com"})
    server = start(server_argv, home=home_with_auth_json_in_the_way(tmp_path))
    started = server.call("account/login/start", DEVICE)["result"]
    completed = server.notification("account/login/completed")["params"]
    assert completed == {
        "loginId": started["loginId"],
        "success": False,
        "error": IN_THE_WAY,
        "onboardingEntrypoint": None,
    }
    assert server.call("account/read", {})["result"]["account"] is None
    assert server.notifications("account/updated") == []


@pytest.mark.real_binary
def test_an_api_key_that_cannot_be_saved_fails_the_request(
    start: Start, server_argv: list[str], tmp_path: Path
) -> None:
    server = start(server_argv, home=home_with_auth_json_in_the_way(tmp_path))
    reply = server.call("account/login/start", {"type": "apiKey", "apiKey": "sk-nowhere"})
    assert reply["error"] == {"code": -32603, "message": f"failed to save api key: {IN_THE_WAY}"}
    assert server.call("account/logout")["error"] == {
        "code": -32603,
        "message": f"logout failed: {IN_THE_WAY}",
    }


def test_logins_replaced_by_one_that_cannot_start_still_complete(
    start: Start, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("pending")
    server = start(REFERENCE)
    first = server.call("account/login/start", DEVICE)["result"]
    mock_tenant.control.fault("usercode", "status", status=500, count=1)
    assert server.call("account/login/start", DEVICE)["error"]["code"] == -32603
    completed = server.notification("account/login/completed")["params"]
    assert (completed["loginId"], completed["success"]) == (first["loginId"], False)


async def test_a_backend_call_that_outlasts_its_timeout_ends_the_login(
    mock_tenant: MockTenant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ready = mock_tenant.ready
    settings = mock_settings(mock_tenant, tmp_path)
    backend = BackendClient(settings, timeout=0.5)
    sent: list[WireModel] = []
    logins = Logins(Credentials(AuthStore(tmp_path)), sent.append)
    try:
        code = await request_device_code(backend, settings)
        mock_tenant.control.fault("device_token", "latency", latency_ms=5000)
        with caplog.at_level(logging.WARNING, logger="reference_server"):
            device_code = next(kind for kind in KINDS if kind.name == "chatgptDeviceCode")
            login_id = logins.start(device_code, complete_device_login(backend, settings, code))
            for _ in range(200):
                if sent:
                    break
                await asyncio.sleep(0.05)
        assert [body.wire() for body in sent] == [
            {
                "loginId": login_id,
                "success": False,
                "error": f"error sending request for url ({ready.issuer}"
                "/api/accounts/deviceauth/token): no answer within 0.5 s",
                "onboardingEntrypoint": None,
            }
        ]
        assert any("no answer within 0.5 s" in r.getMessage() for r in caplog.records)
    finally:
        await logins.close()
        await backend.close()
