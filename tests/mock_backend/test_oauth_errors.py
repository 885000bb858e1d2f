"""Bad input gets what an OAuth server gives (RFC 6749 §5.2), never a 500."""

from __future__ import annotations

import pytest

from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient


def _error(reply: http.Reply) -> tuple[int, str]:
    body = reply.json
    assert isinstance(body.get("error_description"), str) and body["error_description"]
    return reply.status, body["error"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"code=%%%&&=", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_token_bodies(device: DeviceClient, data: bytes, content_type: str) -> None:
    reply = http.post(
        f"{device.issuer}/oauth/token", data=data, headers={"Content-Type": content_type}
    )
    assert _error(reply) == (400, "invalid_request")


def test_unsupported_content_type(device: DeviceClient) -> None:
    reply = http.post(
        f"{device.issuer}/oauth/token", data=b"<xml/>", headers={"Content-Type": "text/xml"}
    )
    assert _error(reply) == (415, "invalid_request")


def test_oversized_body_is_refused(device: DeviceClient) -> None:
    reply = http.post(
        f"{device.issuer}/oauth/token",
        data=b"x=" + b"a" * (256 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _error(reply) == (413, "invalid_request")


def test_missing_and_unknown_grant_types(device: DeviceClient) -> None:
    assert _error(http.post(f"{device.issuer}/oauth/token", form={"code": "x"})) == (
        400,
        "invalid_request",
    )
    reply = http.post(f"{device.issuer}/oauth/token", form={"grant_type": "password"})
    assert _error(reply) == (400, "unsupported_grant_type")


def test_unknown_authorization_code(device: DeviceClient) -> None:
    reply = device.exchange({"authorization_code": "ac_nope", "code_verifier": "v" * 43})
    assert _error(reply) == (400, "invalid_grant")


def test_wrong_client_id(device: DeviceClient) -> None:
    assert _error(device.usercode(client_id="app_someone_else")) == (401, "invalid_client")
    grant = _approved_grant(device)
    assert _error(device.exchange(grant, client_id="app_other")) == (401, "invalid_client")


def _approved_grant(device: DeviceClient) -> dict:  # type: ignore[type-arg]
    code = device.new_code()
    device.tenant.control.approve(code["user_code"])
    result: dict = device.poll(code).json  # type: ignore[type-arg]
    return result


def test_wrong_pkce_verifier(device: DeviceClient) -> None:
    grant = _approved_grant(device)
    reply = device.exchange(grant, code_verifier="w" * 43)
    assert _error(reply) == (400, "invalid_grant")
    assert "code_verifier" in reply.json["error_description"]


def test_missing_verifier_and_wrong_redirect(device: DeviceClient) -> None:
    grant = _approved_grant(device)
    assert _error(device.exchange(grant, code_verifier="")) == (400, "invalid_request")
    assert _error(device.exchange(grant, redirect_uri="http://evil.example/cb")) == (
        400,
        "invalid_grant",
    )


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/deviceauth/callback",
        "https://auth.openai.com/deviceauth/callback",  # the issuer of the proxy, not this one
        "{issuer}/other/deviceauth/callback",
        "{issuer}/deviceauth/callback/",
        "{issuer}/deviceauth/callback?x=1",
        "{root}/t/another-tenant/deviceauth/callback",
    ],
)
def test_the_device_redirect_uri_is_the_whole_callback_of_this_issuer(
    device: DeviceClient, redirect_uri: str
) -> None:
    grant = _approved_grant(device)
    root = device.issuer.split("/t/")[0]
    wrong = redirect_uri.format(issuer=device.issuer, root=root)
    reply = device.exchange(grant, redirect_uri=wrong)
    assert _error(reply) == (400, "invalid_grant")
    assert f"{device.issuer}/deviceauth/callback" in reply.json["error_description"]
    assert device.exchange(grant).status == 200  # the code was not used up by the attempts


def test_reused_authorization_code_is_refused_and_revokes_its_tokens(
    device: DeviceClient,
) -> None:
    grant = _approved_grant(device)
    first = device.exchange(grant)
    assert first.status == 200
    assert device.backend_get("wham/usage", first.json["access_token"]).status == 200
    assert _error(device.exchange(grant)) == (400, "invalid_grant")
    assert device.backend_get("wham/usage", first.json["access_token"]).status == 401
    assert device.refresh(first.json["refresh_token"]).status == 401


def test_refresh_rotates_and_a_replay_revokes_the_family(device: DeviceClient) -> None:
    tokens = device.login()
    rotated = device.refresh(tokens["refresh_token"])
    assert rotated.status == 200
    assert rotated.json["refresh_token"] != tokens["refresh_token"]
    assert device.backend_get("wham/usage", tokens["access_token"]).status == 401
    assert device.backend_get("wham/usage", rotated.json["access_token"]).status == 200

    replay = device.refresh(tokens["refresh_token"])
    assert _error(replay) == (401, "refresh_token_reused")
    # The whole family is gone: the rotated token no longer works either.
    assert _error(device.refresh(rotated.json["refresh_token"])) == (
        401,
        "refresh_token_invalidated",
    )
    assert device.backend_get("wham/usage", rotated.json["access_token"]).status == 401


def test_unknown_refresh_token(device: DeviceClient) -> None:
    assert _error(device.refresh("rt_unknown")) == (400, "invalid_grant")


def test_revocation(device: DeviceClient) -> None:
    tokens = device.login()
    revoke = http.post(
        f"{device.issuer}/oauth/revoke",
        json_body={
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": CODEX_CLIENT_ID,
        },
    )
    assert revoke.status == 200
    assert _error(device.refresh(tokens["refresh_token"])) == (401, "refresh_token_invalidated")
    assert device.backend_get("wham/usage", tokens["access_token"]).status == 401
    # RFC 7009: revoking an unknown token is not an error.
    assert http.post(f"{device.issuer}/oauth/revoke", json_body={"token": "nope"}).status == 200
    assert _error(http.post(f"{device.issuer}/oauth/revoke", json_body={})) == (
        400,
        "invalid_request",
    )


def test_poll_with_unknown_or_mismatched_codes(device: DeviceClient) -> None:
    code = device.new_code()
    other = device.new_code()
    mixed = {"device_auth_id": code["device_auth_id"], "user_code": other["user_code"]}
    assert _error(device.poll(mixed)) == (400, "invalid_grant")
    assert _error(device.poll({"device_auth_id": "x", "user_code": "y"})) == (400, "invalid_grant")
    reply = http.post(
        f"{device.issuer}/api/accounts/deviceauth/token", json_body={"device_auth_id": 5}
    )
    assert _error(reply) == (400, "invalid_request")


def test_unknown_paths_and_methods_answer_json(device: DeviceClient) -> None:
    assert _error(http.get(f"{device.issuer}/nope")) == (404, "not_found")
    assert _error(http.get(f"{device.issuer}/oauth/token")) == (405, "method_not_allowed")


def test_exchange_of_a_code_from_another_tenant_is_refused(
    device: DeviceClient, mock_backend: object
) -> None:
    from mock_backend.thread_runner import BackendThread

    assert isinstance(mock_backend, BackendThread)
    other = DeviceClient(MockTenant.of(mock_backend.tenant("someone-else")))
    grant = _approved_grant(other)
    assert _error(device.exchange(grant)) == (400, "invalid_grant")


def test_client_credentials_gives_an_access_token_only(device: DeviceClient) -> None:
    import base64

    basic = base64.b64encode(b"some-client:secret").decode()
    reply = http.post(
        f"{device.issuer}/oauth/token",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert reply.status == 200
    assert set(reply.json) == {"access_token", "token_type", "expires_in"}
    assert _error(
        http.post(f"{device.issuer}/oauth/token", form={"grant_type": "client_credentials"})
    ) == (401, "invalid_client")
