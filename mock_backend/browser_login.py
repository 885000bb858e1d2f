"""The browser login (authorization code with PKCE) as the backend runs it.

``/oauth/authorize`` checks the request and parks it on the tenant until a script
or a person decides; the decision is a redirect to the client's loopback callback,
with a code (exchanged at the token endpoint) or an RFC 6749 §4.1.2.1 error.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from .clock import Clock
from .config import BackendConfig
from .endpoints import LOOPBACK_HOSTS
from .grants import (
    AUTHORIZATION_CODE_LIFETIME,
    AuthorizationCode,
    BrowserRequest,
    new_authorization_code,
)
from .oauth_errors import invalid_client, invalid_request
from .personas import PersonaFactory, PersonaFields
from .scripts import LoginOutcome
from .tenants import Tenant
from .token_grants import TokenGrants


class BrowserLogins:
    """Authorization requests waiting on their tenants, and how each one ends."""

    def __init__(
        self,
        config: BackendConfig,
        clock: Clock,
        personas: PersonaFactory,
        grants: TokenGrants,
        tenants: Mapping[str, Tenant],
    ) -> None:
        self._client_id = config.client_id
        self._max_waiting = config.max_browser_requests
        self._clock = clock
        self._personas = personas
        self._grants = grants
        self._tenants = tenants

    def authorize(self, tenant: Tenant, params: dict[str, str]) -> BrowserRequest:
        if params.get("response_type") != "code":
            raise invalid_request("response_type must be 'code'")
        if params.get("client_id") != self._client_id:
            raise invalid_client(f"unknown client_id {params.get('client_id')!r}")
        redirect_uri = params.get("redirect_uri", "")
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or (parts.hostname or "") not in LOOPBACK_HOSTS:
            raise invalid_request("redirect_uri must be an http URL on the loopback interface")
        challenge = params.get("code_challenge", "")
        if not challenge or params.get("code_challenge_method", "plain") != "S256":
            raise invalid_request("PKCE with code_challenge_method=S256 is required")
        request = BrowserRequest(
            id=secrets.token_urlsafe(12),
            tenant=tenant.name,
            redirect_uri=redirect_uri,
            state=params.get("state", ""),
            code_challenge=challenge,
            scope=params.get("scope"),
            script=tenant.plan.take(),
        )
        waiting = tenant.browser_requests
        while len(waiting) >= self._max_waiting:
            del waiting[next(iter(waiting))]  # the oldest login nobody finished
            tenant.dropped_browser_requests += 1
        waiting[request.id] = request
        return request

    def scripted_redirect(self, request: BrowserRequest) -> str | None:
        """Where a scripted outcome sends the browser at once; None: a person decides."""
        outcome = request.script.outcome
        if outcome in (
            LoginOutcome.APPROVED,
            LoginOutcome.TOKEN_EXCHANGE_FAILURE,
            LoginOutcome.WORKSPACE_CHECK_FAILURE,
        ):
            return self.complete(request, True, None)
        if outcome is LoginOutcome.DENIED:
            return self.complete(request, False, None)
        if outcome is LoginOutcome.SERVER_ERROR:
            return self.fail(request, "server_error")
        return None

    def complete(self, request: BrowserRequest, approve: bool, fields: PersonaFields | None) -> str:
        """The redirect URL that ends a browser login, approved or not."""
        self._tenants[request.tenant].browser_requests.pop(request.id, None)
        if not approve:
            query = {"error": "access_denied", "error_description": "The user denied access"}
            if request.state:
                query["state"] = request.state
            return _redirect(request, query)
        persona = self._personas.complete(fields or request.script.persona)
        grant = AuthorizationCode(
            code=new_authorization_code(),
            tenant=request.tenant,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            persona=persona,
            expires_at=self._clock.now() + AUTHORIZATION_CODE_LIFETIME,
            script=request.script,
        )
        self._grants.add_code(grant)
        query = {"code": grant.code}
        if request.state:
            query["state"] = request.state
        if request.scope:
            query["scope"] = request.scope
        return _redirect(request, query)

    def fail(self, request: BrowserRequest, error: str) -> str:
        """The redirect URL of a scripted authorization failure."""
        self._tenants[request.tenant].browser_requests.pop(request.id, None)
        query = {"error": error, "error_description": "scripted authorization failure"}
        if request.state:
            query["state"] = request.state
        return _redirect(request, query)


def _redirect(request: BrowserRequest, query: dict[str, str]) -> str:
    sep = "&" if "?" in request.redirect_uri else "?"
    return request.redirect_uri + sep + urlencode(query)
