"""Unmodified codex releases from PyPI log in against the mock backend.

These are the mock's acceptance tests: every outcome is checked on the
app-server's side of the wire (responses and notifications) and on the
backend's side (the journal).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer

from .conftest import Launch

pytestmark = pytest.mark.real_binary

DEVICE_LOGIN = {"type": "chatgptDeviceCode"}
NOT_ENABLED = (
    "device code login is not enabled for this Codex server. "
    "Use the browser login or verify the server URL."
)


def no_account_update_after(server: AppServer) -> None:
    """A later request's answer is the barrier: nothing queued before it is an update."""
    server.call("account/read", {"refreshToken": False})
    assert server.notifications("account/updated") == []


def start_device_login(server: AppServer) -> dict:  # type: ignore[type-arg]
    reply = server.call("account/login/start", DEVICE_LOGIN)
    assert "result" in reply, reply
    result: dict = reply["result"]  # type: ignore[type-arg]
    assert result["type"] == "chatgptDeviceCode"
    return result


@pytest.mark.parametrize("mode", ["proxy", "override"])
def test_approved_login_with_0_163(
    launch: Launch, codex_163: Path, mock_tenant: MockTenant, codex_home: Path, mode: str
) -> None:
    mock_tenant.control.script("approved", persona={"email": "ada@example.com", "plan_type": "pro"})
    server = launch(codex_163, mode)
    started = start_device_login(server)
    assert started["verificationUrl"].endswith("/codex/device")
    completed = server.notification("account/login/completed")["params"]
    assert completed == {
        "loginId": started["loginId"],
        "success": True,
        "error": None,
        "onboardingEntrypoint": None,
    }
    updated = server.notification("account/updated")["params"]
    assert updated == {"authMode": "chatgpt", "planType": "pro"}
    account = server.call("account/read", {"refreshToken": False})["result"]
    assert account["account"] == {"type": "chatgpt", "email": "ada@example.com", "planType": "pro"}
    auth = codex_home / "auth.json"
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    stored = json.loads(auth.read_text())
    assert stored["auth_mode"] == "chatgpt"
    assert set(stored["tokens"]) >= {"id_token", "access_token", "refresh_token", "account_id"}
    routes = [e["route"] for e in mock_tenant.control.journal()]
    for route in ("usercode", "device_token", "oauth_token", "accounts_check"):
        assert route in routes
    via = {e["via"] for e in mock_tenant.control.journal(route="oauth_token")}
    assert via == ({"proxy:auth.openai.com"} if mode == "proxy" else {"direct"})


@pytest.mark.parametrize(("outcome"), ["denied", "expired"])
def test_denied_and_expired_logins_with_0_163(
    launch: Launch, codex_163: Path, mock_tenant: MockTenant, outcome: str
) -> None:
    mock_tenant.control.script(outcome)
    server = launch(codex_163)
    started = start_device_login(server)
    completed = server.notification("account/login/completed")["params"]
    assert completed["loginId"] == started["loginId"]
    assert completed["success"] is False
    assert completed["error"] == "device auth failed with status 400 Bad Request"
    no_account_update_after(server)


def test_policy_disabled_fails_the_request_at_once_with_0_163(
    launch: Launch, codex_163: Path, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("policy_disabled")
    server = launch(codex_163)
    reply = server.call("account/login/start", DEVICE_LOGIN)
    assert reply["error"] == {"code": -32600, "message": NOT_ENABLED}
    no_account_update_after(server)
    assert server.notifications("account/login/completed") == []


def test_cancel_of_a_pending_login_with_0_163(
    launch: Launch, codex_163: Path, mock_tenant: MockTenant
) -> None:
    server = launch(codex_163)
    started = start_device_login(server)
    cancel = server.call("account/login/cancel", {"loginId": started["loginId"]})
    assert cancel["result"] == {"status": "canceled"}
    completed = server.notification("account/login/completed")["params"]
    assert (completed["success"], completed["error"]) == (False, "Login was not completed")
    again = server.call("account/login/cancel", {"loginId": started["loginId"]})
    assert again["result"] == {"status": "notFound"}


def test_approval_through_the_control_api_with_0_163(
    launch: Launch, codex_163: Path, mock_tenant: MockTenant
) -> None:
    server = launch(codex_163)
    started = start_device_login(server)
    mock_tenant.control.approve(started["userCode"], email="grace@example.com", plan_type="plus")
    assert server.notification("account/login/completed")["params"]["success"] is True
    assert server.notification("account/updated")["params"]["planType"] == "plus"


@pytest.mark.parametrize(("outcome", "success"), [("approved", True), ("denied", False)])
def test_0_133_through_the_proxy(
    launch: Launch, codex_133: Path, mock_tenant: MockTenant, outcome: str, success: bool
) -> None:
    mock_tenant.control.script(outcome, persona={"email": "old@example.com", "plan_type": "plus"})
    server = launch(codex_133)
    start_device_login(server)
    completed = server.notification("account/login/completed")["params"]
    assert completed["success"] is success
    if success:
        assert server.notification("account/updated")["params"] == {
            "authMode": "chatgpt",
            "planType": "plus",
        }
        account = server.call("account/read", {"refreshToken": False})["result"]["account"]
        assert account["email"] == "old@example.com"
    else:
        assert completed["error"] == "device auth failed with status 400 Bad Request"
        no_account_update_after(server)
    assert {e["via"] for e in mock_tenant.control.journal(route="usercode")} == {
        "proxy:auth.openai.com"
    }
