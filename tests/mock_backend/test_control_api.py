"""The control API: decide codes, script outcomes, inject faults, read the journal."""

from __future__ import annotations

import time
import urllib.error

import pytest

from mock_backend import ControlError
from mock_backend.tenant_handle import MockTenant
from mock_backend.thread_runner import BackendThread
from tests.support import http

from .conftest import DeviceClient


def test_list_and_inspect_codes(device: DeviceClient, mock_tenant: MockTenant) -> None:
    code = device.new_code()
    listed = mock_tenant.control.device_codes()
    assert [c["user_code"] for c in listed] == [code["user_code"]]
    assert listed[0]["state"] == "pending"
    one = mock_tenant.control.request("GET", f"/device-codes/{code['user_code']}")
    assert one["device_auth_id"] == code["device_auth_id"]
    # A person may type the code in lower case and without the dash.
    loose = code["user_code"].replace("-", "").lower()
    assert mock_tenant.control.request("GET", f"/device-codes/{loose}")["state"] == "pending"


def test_approve_with_a_persona(device: DeviceClient, mock_tenant: MockTenant) -> None:
    code = device.new_code()
    result = mock_tenant.control.approve(
        code["user_code"], email="grace@example.com", plan_type="enterprise", account_id="acct-1"
    )
    assert result["state"] == "approved"
    assert result["persona"]["email"] == "grace@example.com"
    assert result["persona"]["account_id"] == "acct-1"
    assert result["persona"]["name"]  # generated


@pytest.mark.parametrize("action", ["deny", "expire"])
def test_deny_and_expire(device: DeviceClient, mock_tenant: MockTenant, action: str) -> None:
    code = device.new_code()
    result = getattr(mock_tenant.control, action)(code["user_code"])
    assert result["state"] == {"deny": "denied", "expire": "expired"}[action]
    assert device.poll(code).status == 400


def test_deciding_twice_is_a_conflict(device: DeviceClient, mock_tenant: MockTenant) -> None:
    code = device.new_code()
    mock_tenant.control.deny(code["user_code"])
    with pytest.raises(ControlError) as info:
        mock_tenant.control.approve(code["user_code"])
    assert info.value.status == 409
    assert "already denied" in str(info.value)


def test_unknown_code_is_404(mock_tenant: MockTenant) -> None:
    with pytest.raises(ControlError) as info:
        mock_tenant.control.approve("BCDF-GHJK")
    assert info.value.status == 404


def test_invalid_bodies_name_the_field(mock_tenant: MockTenant) -> None:
    with pytest.raises(ControlError) as info:
        mock_tenant.control.request("PUT", "/script", {"outcome": "maybe"})
    assert info.value.status == 400
    assert info.value.body["details"][0]["field"] == "outcome"
    with pytest.raises(ControlError) as info:
        mock_tenant.control.request("PUT", "/script", {"outcome": "approved", "after_polls": -1})
    assert "after_polls" in str(info.value)


def test_script_plan_put_post_delete(mock_tenant: MockTenant) -> None:
    control = mock_tenant.control
    plan = control.script("approved", after_polls=3)
    assert plan == {
        "queue": [],
        "default": {"outcome": "approved", "after_polls": 3, "after_seconds": 0.0, "stage": "poll"},
    }
    plan = control.script("denied", count=2)
    assert plan["queue"][0]["count"] == 2 and plan["default"]["outcome"] == "pending"
    plan = control.queue_script("expired")
    assert [e["outcome"] for e in plan["queue"]] == ["denied", "expired"]
    assert control.request("DELETE", "/script")["queue"] == []


def test_rescript_a_live_code(device: DeviceClient, mock_tenant: MockTenant) -> None:
    code = device.new_code()
    assert device.poll(code).status == 403
    mock_tenant.control.request(
        "PUT", f"/device-codes/{code['user_code']}/script", {"outcome": "denied"}
    )
    assert device.poll(code).json["error"] == "access_denied"


@pytest.mark.parametrize(
    ("kind", "extra", "check"),
    [
        ("status", {"status": 503}, lambda r: r.status == 503),
        ("malformed_body", {}, lambda r: r.status == 200 and r.text.endswith("truncated")),
        ("latency", {"latency_ms": 300}, lambda r: r.status == 200),
    ],
)
def test_faults_apply_to_the_next_n_requests(
    device: DeviceClient, mock_tenant: MockTenant, kind: str, extra: dict, check: object
) -> None:  # type: ignore[type-arg]
    mock_tenant.control.fault("usercode", kind, count=2, **extra)
    started = time.monotonic()
    replies = [device.usercode() for _ in range(3)]
    elapsed = time.monotonic() - started
    assert all(check(r) for r in replies[:2])  # type: ignore[operator]
    assert replies[2].status == 200 and "user_code" in replies[2].json
    if kind == "latency":
        assert elapsed >= 0.6
    flags = [e["flags"] for e in mock_tenant.control.journal(route="usercode")]
    assert flags == [[f"fault:{kind}"], [f"fault:{kind}"], []]


def test_dropped_connection_fault(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.fault("/api/accounts/deviceauth/usercode", "drop_connection")
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        device.usercode()
    assert device.usercode().status == 200


def test_fault_on_unknown_route_lists_the_known_ones(mock_tenant: MockTenant) -> None:
    with pytest.raises(ControlError) as info:
        mock_tenant.control.fault("/nope", "status")
    assert "device_token" in str(info.value)


def test_journal_records_parsed_requests(device: DeviceClient, mock_tenant: MockTenant) -> None:
    code = device.new_code()
    device.poll(code)
    entries = mock_tenant.control.journal()
    assert [e["route"] for e in entries] == ["usercode", "device_token"]
    poll = entries[1]
    assert poll["body"] == {
        "device_auth_id": code["device_auth_id"],
        "user_code": code["user_code"],
    }
    assert poll["status"] == 403 and poll["user_code"] == code["user_code"]
    assert poll["duration_ms"] >= 0 and poll["via"] == "direct"
    since = mock_tenant.control.journal(since=entries[0]["seq"])
    assert [e["seq"] for e in since] == [poll["seq"]]


def test_tenants_do_not_see_each_other(
    mock_backend: BackendThread, device: DeviceClient, mock_tenant: MockTenant
) -> None:
    other = MockTenant.of(mock_backend.tenant("isolation-other"))
    other.control.script("denied")
    code = device.new_code()
    assert device.poll(code).status == 403  # the other tenant's script does not apply here
    assert other.control.device_codes() == []
    assert other.control.journal() == []
    with pytest.raises(ControlError):
        other.control.approve(code["user_code"])
    other.control.reset()


def test_reset_forgets_only_this_tenant(device: DeviceClient, mock_tenant: MockTenant) -> None:
    device.new_code()
    mock_tenant.control.script("denied")
    mock_tenant.control.reset()
    assert mock_tenant.control.device_codes() == []
    assert mock_tenant.control.journal() == []
    assert mock_tenant.control.request("GET", "/script")["default"]["outcome"] == "pending"


def test_create_tenant_returns_its_endpoints(mock_tenant: MockTenant) -> None:
    created = mock_tenant.control.create_tenant("made-by-api")
    assert created["tenant"] == "made-by-api"
    assert created["control"].endswith("/t/made-by-api/_mock")
    assert "made-by-api:mock@" in created["env"]["HTTPS_PROXY"]
    with pytest.raises(ControlError) as info:
        mock_tenant.control.create_tenant("bad name!")
    assert info.value.status == 400


def test_mint_tokens_for_a_persona(device: DeviceClient, mock_tenant: MockTenant) -> None:
    minted = mock_tenant.control.mint_tokens(email="ext@example.com", plan_type="business")
    assert minted["persona"]["plan_type"] == "business"
    check = device.backend_get(
        "wham/accounts/check",
        minted["access_token"],
        **{"ChatGPT-Account-Id": minted["persona"]["account_id"]},
    )
    assert check.json["accounts"][0]["id"] == minted["persona"]["account_id"]


def test_usage_body_can_be_replaced(device: DeviceClient, mock_tenant: MockTenant) -> None:
    tokens = device.login()
    mock_tenant.control.set_usage({"plan_type": "plus", "rate_limit": None, "credits": None})
    assert device.backend_get("wham/usage", tokens["access_token"]).json["rate_limit"] is None


def test_openapi_document_lists_every_route(mock_tenant: MockTenant) -> None:
    doc = http.get(mock_tenant.ready.openapi).json
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"][0]["url"] == mock_tenant.ready.issuer
    for path in (
        "/api/accounts/deviceauth/usercode",
        "/oauth/token",
        "/_mock/device-codes/{user_code}/approve",
        "/_mock/script",
        "/_mock/faults",
        "/_mock/journal",
        "/_mock/reset",
    ):
        assert path in doc["paths"], path
    script_schema = doc["components"]["schemas"]["ScriptRequest"]
    assert "outcome" in script_schema["properties"]
