"""``/oauth/*`` and the well-known documents: the OAuth server proper.

The codex client sends the code exchange form-encoded and the refresh as JSON;
both are accepted on ``/oauth/token``. Errors follow RFC 6749 §5.2.
"""

from __future__ import annotations

from aiohttp import web

from ..http_io import (
    backend,
    entry,
    html_response,
    json_response,
    object_body,
    public_base,
    string_fields,
    tenant,
)
from ..oauth_errors import OAuthError, invalid_request
from ..page import browser_login_page
from ..personas import PersonaFields
from ..tokens import TokenSet, unverified_claims
from . import Route


def _token_body(tokens: TokenSet) -> dict[str, object]:
    return {
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
        "scope": "openid profile email offline_access",
    }


async def token(request: web.Request) -> web.StreamResponse:
    data = object_body(request)
    fields = string_fields(
        data,
        "grant_type",
        "code",
        "redirect_uri",
        "client_id",
        "code_verifier",
        "refresh_token",
        "scope",
    )
    state = backend(request)
    grant_type = fields.get("grant_type")
    if grant_type == "authorization_code":
        callback = f"{public_base(request)}/deviceauth/callback"
        tokens = state.grants.exchange_code(tenant(request).name, fields, callback)
    elif grant_type == "refresh_token":
        tokens = state.grants.refresh(tenant(request).name, fields)
    elif grant_type == "client_credentials":
        return _client_credentials(request, fields)
    elif grant_type is None:
        raise invalid_request("grant_type is required")
    else:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    log = entry(request)
    if log is not None:
        claims = unverified_claims(tokens.id_token) or {}
        auth = claims.get("https://api.openai.com/auth")
        if isinstance(auth, dict) and isinstance(auth.get("chatgpt_account_id"), str):
            log.account_id = auth["chatgpt_account_id"]
    return json_response(_token_body(tokens))


def _client_credentials(request: web.Request, fields: dict[str, str]) -> web.Response:
    """A generic OAuth grant, for tools (and benchmarks) that speak only this one."""
    state = backend(request)
    client_id = fields.get("client_id")
    if client_id is None and request.headers.get("Authorization", "").startswith("Basic "):
        import base64
        import binascii

        try:
            decoded = base64.b64decode(request.headers["Authorization"][6:]).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "malformed basic credentials", 401) from exc
        client_id = decoded.partition(":")[0]
    if not client_id:
        raise OAuthError("invalid_client", "client authentication is required", 401)
    token = state.minter.mint_client_token(client_id[:200], state.clock.now(), fields.get("scope"))
    return json_response({"access_token": token, "token_type": "Bearer", "expires_in": 3600})


async def revoke(request: web.Request) -> web.StreamResponse:
    data = object_body(request)
    fields = string_fields(data, "token", "token_type_hint", "client_id")
    if not fields.get("token"):
        raise invalid_request("token is required")
    backend(request).grants.revoke(tenant(request).name, fields["token"])
    return json_response({})


async def authorize(request: web.Request) -> web.StreamResponse:
    state = backend(request)
    params = dict(request.query)
    browser = state.browser.authorize(tenant(request), params)
    scripted = state.browser.scripted_redirect(browser)
    if scripted is not None:
        raise web.HTTPFound(scripted)
    return html_response(
        browser_login_page(browser, state.personas.suggest(), public_base(request))
    )


async def authorize_decide(request: web.Request) -> web.StreamResponse:
    state = backend(request)
    form = object_body(request)
    fields = string_fields(form, "request_id", "decision", "email", "name", "plan_type")
    browser = tenant(request).browser_requests.get(fields.get("request_id", ""))
    if browser is None:
        raise invalid_request("unknown or finished authorization request")
    persona = PersonaFields.model_validate(
        {k: fields[k] for k in ("email", "name", "plan_type") if fields.get(k)}
    )
    approve = fields.get("decision") == "approve"
    raise web.HTTPFound(state.browser.complete(browser, approve, persona))


async def jwks(request: web.Request) -> web.StreamResponse:
    return json_response(backend(request).key.jwks())


async def openid_configuration(request: web.Request) -> web.StreamResponse:
    base = public_base(request)
    state = backend(request)
    return json_response(
        {
            "issuer": "https://auth.openai.com",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "device_authorization_endpoint": f"{base}/api/accounts/deviceauth/usercode",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": [state.key.alg],
            "subject_types_supported": ["public"],
        }
    )


async def device_callback(request: web.Request) -> web.StreamResponse:
    return html_response(
        "<!doctype html><title>Device login</title><p>You can close this window.</p>"
    )


ROUTES = [
    Route(
        "oauth_token",
        "POST",
        "/oauth/token",
        token,
        "Token endpoint: authorization_code (PKCE), refresh_token (rotation), client_credentials.",
    ),
    Route("oauth_revoke", "POST", "/oauth/revoke", revoke, "Token revocation (RFC 7009)."),
    Route(
        "oauth_authorize",
        "GET",
        "/oauth/authorize",
        authorize,
        "Browser login: redirects to the loopback callback with code and state, "
        "or shows a page when nothing is scripted.",
        query=(
            "response_type",
            "client_id",
            "redirect_uri",
            "code_challenge",
            "code_challenge_method",
            "state",
            "scope",
        ),
    ),
    Route(
        "oauth_authorize_decide",
        "POST",
        "/oauth/authorize",
        authorize_decide,
        "The browser login page's approve / deny form.",
    ),
    Route("jwks", "GET", "/.well-known/jwks.json", jwks, "The key tokens are signed with."),
    Route(
        "openid_configuration",
        "GET",
        "/.well-known/openid-configuration",
        openid_configuration,
        "OpenID discovery document.",
    ),
    Route(
        "device_callback",
        "GET",
        "/deviceauth/callback",
        device_callback,
        "The device flow's redirect_uri (never followed by the client).",
    ),
]
