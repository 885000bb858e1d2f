"""Browser login: /oauth/authorize redirects to the loopback callback with code and state."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.tenant_handle import MockTenant
from mock_backend.tokens import pkce_challenge
from tests.support import http

CALLBACK = "http://127.0.0.1:1455/auth/callback"


def authorize_url(tenant: MockTenant, verifier: str, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CODEX_CLIENT_ID,
        "redirect_uri": CALLBACK,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
        "state": "state-123",
        "scope": "openid profile email offline_access",
        **overrides,
    }
    return f"{tenant.ready.issuer}/oauth/authorize?{urlencode(params)}"


def _query(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_scripted_approval_redirects_with_code_and_state(mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("approved", persona={"email": "web@example.com"})
    verifier = secrets.token_urlsafe(48)
    reply = http.get(authorize_url(mock_tenant, verifier))
    assert reply.status == 302
    query = _query(reply.location)
    assert query["state"] == "state-123"
    tokens = http.post(
        f"{mock_tenant.ready.issuer}/oauth/token",
        form={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": CALLBACK,
            "client_id": CODEX_CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    assert tokens.status == 200, tokens.text
    assert {"id_token", "access_token", "refresh_token"} <= set(tokens.json)


def test_scripted_denial_redirects_with_access_denied(mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("denied")
    query = _query(http.get(authorize_url(mock_tenant, "v" * 43)).location)
    assert query["error"] == "access_denied"
    assert query["state"] == "state-123"


def test_unscripted_login_shows_a_page_that_a_person_completes(mock_tenant: MockTenant) -> None:
    page = http.get(authorize_url(mock_tenant, "v" * 43))
    assert page.status == 200
    assert "Sign in to Codex" in page.text
    request_id = page.text.split('name="request_id" value="')[1].split('"')[0]
    reply = http.post(
        f"{mock_tenant.ready.issuer}/oauth/authorize",
        form={"request_id": request_id, "decision": "approve", "email": "p@example.com"},
    )
    assert reply.status == 302
    assert "code" in _query(reply.location)


def test_redirect_code_is_bound_to_its_redirect_uri(mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("approved")
    verifier = "v" * 43
    code = _query(http.get(authorize_url(mock_tenant, verifier)).location)["code"]
    reply = http.post(
        f"{mock_tenant.ready.issuer}/oauth/token",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9999/auth/callback",
            "client_id": CODEX_CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    assert (reply.status, reply.json["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"redirect_uri": "https://attacker.example/cb"}, "invalid_request"),
        ({"response_type": "token"}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"client_id": "app_other"}, "invalid_client"),
    ],
)
def test_bad_authorization_requests(
    mock_tenant: MockTenant, override: dict[str, str], error: str
) -> None:
    reply = http.get(authorize_url(mock_tenant, "v" * 43, **override))
    assert reply.status in (400, 401)
    assert reply.json["error"] == error
