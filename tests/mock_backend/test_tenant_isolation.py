"""Nothing crosses tenants: every code, grant and token is looked up within the tenant
of the address it came through (the page, the token endpoint, revocation, the device
poll, the bearer checks of the backend and the model endpoint, the control API)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.control_client import ControlError
from mock_backend.tenant_handle import MockTenant
from mock_backend.thread_runner import BackendThread
from tests.support import http

from .conftest import DeviceClient


@pytest.fixture
def alice(mock_backend: BackendThread) -> Iterator[DeviceClient]:
    """A second tenant next to the test's own (``device``, playing bob)."""
    tenant = MockTenant.of(mock_backend.tenant(f"alice-{secrets.token_hex(3)}"))
    yield DeviceClient(tenant)
    tenant.control.reset()


def _page_submit(client: DeviceClient, user_code: str, **fields: str) -> http.Reply:
    return http.post(
        client.tenant.ready.verification_page,
        form={"user_code": user_code, "decision": "approve", **fields},
    )


def test_the_approval_page_does_not_approve_another_tenants_code(
    device: DeviceClient, alice: DeviceClient, mock_tenant: MockTenant
) -> None:
    code = device.new_code()
    reply = _page_submit(alice, code["user_code"], email="mallory@example.com")
    assert reply.status == 404, reply.text
    assert "No code" in reply.text
    (listed,) = mock_tenant.control.device_codes()
    assert listed["state"] == "pending"
    assert device.poll(code).status == 403
    # The default tenant's page does not see it either; the tenant's own page does.
    default_page = http.post(
        mock_tenant.ready.verification_page.replace(f"/t/{mock_tenant.name}", ""),
        form={"user_code": code["user_code"]},
    )
    assert default_page.status == 404
    assert _page_submit(device, code["user_code"], email="bob@example.com").status == 200
    assert device.poll(code).status == 200


def test_a_tenant_cannot_revoke_another_tenants_tokens(
    device: DeviceClient, alice: DeviceClient
) -> None:
    tokens = device.login()
    for token in (tokens["refresh_token"], tokens["access_token"]):
        revoke = http.post(
            f"{alice.issuer}/oauth/revoke", json_body={"token": token, "client_id": CODEX_CLIENT_ID}
        )
        assert revoke.status == 200  # RFC 7009: a token this tenant does not know is no error
    assert device.backend_get("wham/accounts/check", tokens["access_token"]).status == 200
    rotated = device.refresh(tokens["refresh_token"])
    assert rotated.status == 200, rotated.text


def test_an_access_token_is_only_good_at_its_own_tenant(
    device: DeviceClient, alice: DeviceClient
) -> None:
    tokens = device.login()
    for path in ("wham/accounts/check", "wham/usage"):
        assert device.backend_get(path, tokens["access_token"]).status == 200
        assert alice.backend_get(path, tokens["access_token"]).status == 401


def test_the_same_account_id_in_two_tenants_stays_two_accounts(
    device: DeviceClient, alice: DeviceClient, mock_tenant: MockTenant
) -> None:
    bob_tokens = device.login(account_id="acct-shared", email="bob@example.com")
    alice_tokens = alice.login(account_id="acct-shared", email="alice@example.com")
    assert [a["email"] for a in mock_tenant.control.request("GET", "/accounts")["accounts"]] == [
        "bob@example.com"
    ]
    assert [a["email"] for a in alice.tenant.control.request("GET", "/accounts")["accounts"]] == [
        "alice@example.com"
    ]
    for client, tokens in ((device, bob_tokens), (alice, alice_tokens)):
        check = client.backend_get("wham/accounts/check", tokens["access_token"])
        assert check.status == 200, check.text
        assert check.json["accounts"][0]["name"] != ""
    # A model request from bob's token still counts as bob's, after alice's login.
    model = http.post(
        f"{device.issuer}/backend-api/codex/responses",
        json_body={"model": "mock-model", "input": [], "generate": False},
        headers={"Authorization": f"Bearer {bob_tokens['access_token']}"},
    )
    assert model.status == 200
    (record,) = mock_tenant.control.model_requests()
    assert record["auth"]["issued_by_tenant"] is True
    assert record["auth"]["bearer"] == "live"


def test_a_refresh_or_exchange_through_another_tenant_is_refused(
    device: DeviceClient, alice: DeviceClient
) -> None:
    tokens = device.login()
    refresh = alice.refresh(tokens["refresh_token"])
    assert (refresh.status, refresh.json["error"]) == (400, "invalid_grant")
    assert device.refresh(tokens["refresh_token"]).status == 200  # not burnt by the attempt
    code = device.new_code()
    device.tenant.control.approve(code["user_code"])
    poll = alice.poll(code)
    assert (poll.status, poll.json["error"]) == (400, "invalid_grant")
    grant = device.poll(code)
    assert grant.status == 200
    assert alice.exchange(grant.json).status == 400
    assert device.exchange(grant.json).status == 200  # not burnt either


def test_the_control_api_sees_only_its_tenant(device: DeviceClient, alice: DeviceClient) -> None:
    code = device.new_code()
    for action in ("approve", "deny", "expire"):
        with pytest.raises(ControlError) as info:
            alice.tenant.control.request("POST", f"/device-codes/{code['user_code']}/{action}")
        assert info.value.status == 404
    with pytest.raises(ControlError) as info:
        alice.tenant.control.request("GET", f"/device-codes/{code['user_code']}")
    assert info.value.status == 404
    assert alice.tenant.control.device_codes() == []
