"""The device-code flow as the codex binary drives it, outcome by outcome."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_with_jwks(token: str, jwks: dict) -> dict:  # type: ignore[type-arg]
    """Check an ES256 JWT against the published JWKS, as an independent client would."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert header["alg"] == key["alg"] == "ES256"
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64(key["x"]), "big"), int.from_bytes(_b64(key["y"]), "big"), ec.SECP256R1()
    ).public_key()
    raw = _b64(signature_b64)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict = json.loads(_b64(payload_b64))  # type: ignore[type-arg]
    return claims


def test_usercode_answers_what_the_binary_parses(device: DeviceClient) -> None:
    code = device.new_code()
    assert code["device_auth_id"].startswith("deviceauth_")
    assert len(code["user_code"]) == 9 and code["user_code"][4] == "-"
    assert code["interval"] == "1"  # a string of seconds, as upstream sends it


def test_unscripted_code_stays_pending_until_approved(device: DeviceClient) -> None:
    code = device.new_code()
    for _ in range(3):
        reply = device.poll(code)
        assert reply.status == 403
        assert reply.json["error"] == "authorization_pending"
    device.tenant.control.approve(code["user_code"], email="ada@example.com", plan_type="plus")
    grant = device.poll(code)
    assert grant.status == 200
    assert set(grant.json) == {"authorization_code", "code_challenge", "code_verifier"}


def test_approved_login_yields_signed_tokens_with_the_persona(device: DeviceClient) -> None:
    tokens = device.login(email="ada@example.com", plan_type="plus", name="Ada Lovelace")
    jwks = http.get(f"{device.issuer}/.well-known/jwks.json").json
    id_claims = verify_with_jwks(tokens["id_token"], jwks)
    access_claims = verify_with_jwks(tokens["access_token"], jwks)
    auth = id_claims["https://api.openai.com/auth"]
    assert id_claims["email"] == "ada@example.com"
    assert auth["chatgpt_plan_type"] == "plus"
    assert auth["chatgpt_account_id"] and auth["chatgpt_user_id"]
    assert access_claims["https://api.openai.com/auth"] == auth
    assert 3000 <= id_claims["exp"] - id_claims["iat"] <= 3600
    assert access_claims["exp"] > access_claims["iat"] + 86_400
    assert tokens["refresh_token"].startswith("rt_")


def test_missing_persona_fields_come_from_a_generated_persona(device: DeviceClient) -> None:
    tokens = device.login(plan_type="team")
    claims = json.loads(_b64(tokens["id_token"].split(".")[1]))
    assert claims["email"].endswith("@example.com")
    assert claims["name"]
    assert claims["https://api.openai.com/auth"]["chatgpt_plan_type"] == "team"


def test_backend_calls_after_login(device: DeviceClient) -> None:
    tokens = device.login(email="ada@example.com", plan_type="pro")
    check = device.backend_get("wham/accounts/check", tokens["access_token"])
    assert check.status == 200
    account = check.json["accounts"][0]
    assert account["workspace_backend_origin"].startswith("https://")
    assert account["account_routing_override"] == "NO_CONSTRAINT"
    usage = device.backend_get("wham/usage", tokens["access_token"])
    assert usage.status == 200
    assert usage.json["plan_type"] == "pro"
    assert {"used_percent", "reset_at", "limit_window_seconds"} <= set(
        usage.json["rate_limit"]["primary_window"]
    )
    assert device.backend_get("wham/usage", None).status == 401
    assert device.backend_get("wham/usage", "not-a-token").status == 401
    assert device.backend_get("reset-credits/nothing", tokens["access_token"]).status == 404
    bundle = device.backend_get("wham/config/bundle", tokens["access_token"])
    assert (bundle.status, bundle.json) == (200, {})
    assert device.backend_get("wham/config/bundle", None).status == 401


@pytest.mark.parametrize(
    ("outcome", "status", "error"),
    [
        ("denied", 400, "access_denied"),
        ("expired", 400, "expired_token"),
        ("slow_down", 400, "slow_down"),
        ("server_error", 500, "server_error"),
    ],
)
def test_scripted_poll_outcomes(
    device: DeviceClient, mock_tenant: MockTenant, outcome: str, status: int, error: str
) -> None:
    mock_tenant.control.script(outcome, after_polls=2)
    code = device.new_code()
    assert [device.poll(code).status for _ in range(2)] == [403, 403]
    reply = device.poll(code)
    assert (reply.status, reply.json["error"]) == (status, error)


def test_slow_down_is_answered_once_then_the_code_is_pending_again(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("slow_down")
    code = device.new_code()
    assert device.poll(code).json["error"] == "slow_down"
    assert device.poll(code).status == 403


def test_policy_disabled_answers_usercode_with_404(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("policy_disabled")
    assert device.usercode().status == 404
    assert mock_tenant.control.device_codes() == []


def test_server_error_at_usercode(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("server_error", stage="usercode", status=503)
    assert device.usercode().status == 503


def test_token_exchange_failure(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("token_exchange_failure")
    grant = device.poll(device.new_code())
    assert grant.status == 200
    reply = device.exchange(grant.json)
    assert (reply.status, reply.json["error"]) == (400, "invalid_grant")


def test_workspace_check_failure(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("workspace_check_failure", status=502)
    grant = device.poll(device.new_code())
    tokens = device.exchange(grant.json).json
    assert device.backend_get("wham/accounts/check", tokens["access_token"]).status == 502


def test_pending_for_some_seconds_on_the_controlled_clock(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("approved", after_seconds=600)
    code = device.new_code()
    assert device.poll(code).status == 403
    mock_tenant.control.advance_clock(601)
    assert device.poll(code).status == 200


def test_codes_expire_after_fifteen_minutes_of_backend_time(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    code = device.new_code()
    mock_tenant.control.advance_clock(15 * 60 + 1)
    reply = device.poll(code)
    assert (reply.status, reply.json["error"]) == (400, "expired_token")


def test_queued_scripts_apply_to_the_next_codes_in_order(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.queue_script("denied")
    mock_tenant.control.queue_script("approved", count=2)
    answers = [device.poll(device.new_code()).status for _ in range(4)]
    assert answers == [400, 200, 200, 403]


def test_polls_faster_than_the_interval_are_flagged(
    device: DeviceClient, mock_tenant: MockTenant
) -> None:
    mock_tenant.control.settings(interval=5)
    code = device.new_code()
    device.poll(code)
    device.poll(code)
    flagged = mock_tenant.control.journal(route="device_token", flag="too_fast")
    assert len(flagged) == 1
    assert flagged[0]["user_code"] == code["user_code"]


def test_enforced_interval_answers_slow_down(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.settings(interval=5, enforce_interval=True)
    code = device.new_code()
    assert device.poll(code).status == 403
    assert device.poll(code).json["error"] == "slow_down"


def test_realistic_interval_is_configurable(device: DeviceClient, mock_tenant: MockTenant) -> None:
    mock_tenant.control.settings(interval=5)
    assert device.new_code()["interval"] == "5"
