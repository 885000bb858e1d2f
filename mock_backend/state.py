"""The backend's state and rules: tenants, codes, grants, accounts, tokens.

Everything the HTTP routes do is decided here, without HTTP, so the rules can be
tested directly and the routes stay thin. Secrets (user codes, device ids,
authorization codes, refresh tokens, account ids) are globally unique, so they
are indexed once; each record remembers its tenant, and a request made through
another tenant's address does not see it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .clock import Clock
from .config import AUTH_HOST, BackendConfig
from .device_codes import CodeState, DeviceCode, PollAnswer, normalize_user_code
from .faults import FaultTable
from .grants import (
    AUTHORIZATION_CODE_LIFETIME,
    AuthorizationCode,
    RefreshGrant,
    new_authorization_code,
    new_family,
)
from .journal import Journal
from .oauth_errors import OAuthError, invalid_client, invalid_grant, invalid_request
from .personas import Persona, PersonaFactory, PersonaFields
from .scripts import LoginOutcome, Plan, Script
from .tokens import SigningKey, TokenMinter, TokenSet, pkce_challenge, unverified_claims

TENANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DEFAULT_TENANT = "default"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class ScriptedFailure(Exception):
    """A scripted outcome that answers with an HTTP failure instead of a result."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"scripted failure {status}")
        self.status = status
        self.body = body


@dataclass(slots=True)
class TenantSettings:
    interval: int
    expires_in: int
    enforce_interval: bool
    #: What the workspace check reports; None: chatgpt.com, or this server's https origin.
    workspace_backend_origin: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "expires_in": self.expires_in,
            "enforce_interval": self.enforce_interval,
            "workspace_backend_origin": self.workspace_backend_origin,
        }


@dataclass(slots=True)
class Account:
    persona: Persona
    tenant: str
    workspace_failure: Script | None = None


@dataclass(slots=True)
class BrowserRequest:
    """An /oauth/authorize request waiting for a person on the page."""

    id: str
    tenant: str
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str
    scope: str | None
    script: Script


@dataclass
class Tenant:
    name: str
    settings: TenantSettings
    journal: Journal
    plan: Plan = field(default_factory=Plan)
    faults: FaultTable = field(default_factory=FaultTable)
    codes: dict[str, DeviceCode] = field(default_factory=dict)
    browser_requests: dict[str, BrowserRequest] = field(default_factory=dict)
    usage: dict[str, Any] | None = None


class Backend:
    """All tenants of one mock backend, and the rules of the auth flows."""

    def __init__(self, config: BackendConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.key = SigningKey(config.signing_alg)
        self.minter = TokenMinter(self.key, f"https://{AUTH_HOST}", config.client_id)
        self.personas = PersonaFactory(config.seed, config.default_plan)
        self.tenants: dict[str, Tenant] = {}
        self._codes_by_device_id: dict[str, DeviceCode] = {}
        self._codes_by_user_code: dict[str, DeviceCode] = {}
        self._auth_codes: dict[str, AuthorizationCode] = {}
        self._refresh: dict[str, RefreshGrant] = {}
        self._families_revoked: set[str] = set()
        self._revoked_jtis: set[str] = set()
        self.accounts: dict[str, Account] = {}
        self._verifiers: dict[str, str] = {}
        self.tenant(DEFAULT_TENANT)

    # -- tenants ---------------------------------------------------------------------

    def tenant(self, name: str) -> Tenant:
        found = self.tenants.get(name)
        if found is not None:
            return found
        if not TENANT_NAME.match(name):
            raise invalid_request(
                "tenant names are 1-64 characters: letters, digits, '_', '.', '-'"
            )
        tenant = Tenant(
            name=name,
            settings=TenantSettings(
                self.config.interval, self.config.expires_in, self.config.enforce_interval
            ),
            journal=Journal(self.config.journal_capacity),
        )
        self.tenants[name] = tenant
        return tenant

    def reset(self, tenant: Tenant) -> None:
        """Forget everything of one tenant; other tenants are untouched."""
        for code in tenant.codes.values():
            self._codes_by_device_id.pop(code.device_auth_id, None)
            self._codes_by_user_code.pop(code.user_code, None)
        for store in (self._auth_codes, self._refresh, self.accounts):
            for key in [k for k, v in store.items() if v.tenant == tenant.name]:
                del store[key]
        tenant.codes.clear()
        tenant.browser_requests.clear()
        tenant.plan.clear()
        tenant.faults.clear()
        tenant.journal.clear()
        tenant.usage = None
        tenant.settings = TenantSettings(
            self.config.interval, self.config.expires_in, self.config.enforce_interval
        )

    # -- device codes -------------------------------------------------------------------

    def issue_device_code(self, tenant: Tenant, client_id: object) -> DeviceCode:
        if client_id != self.config.client_id:
            raise invalid_client(f"unknown client_id {client_id!r}")
        script = tenant.plan.take()
        if script.outcome is LoginOutcome.POLICY_DISABLED:
            raise ScriptedFailure(
                script.status or 404,
                {
                    "error": "not_found",
                    "error_description": "device code login is disabled by workspace policy",
                },
            )
        if script.outcome is LoginOutcome.SERVER_ERROR and script.stage == "usercode":
            raise ScriptedFailure(
                script.status or 500,
                {"error": "server_error", "error_description": "scripted usercode failure"},
            )
        settings = tenant.settings
        code = DeviceCode(
            tenant.name, script, self.clock.now(), settings.interval, settings.expires_in
        )
        while code.user_code in self._codes_by_user_code:  # 2.5e10 codes; be certain anyway
            code = DeviceCode(
                tenant.name, script, self.clock.now(), settings.interval, settings.expires_in
            )
        tenant.codes[code.user_code] = code
        self._codes_by_user_code[code.user_code] = code
        self._codes_by_device_id[code.device_auth_id] = code
        return code

    def find_code(self, user_code: str, tenant: Tenant | None = None) -> DeviceCode | None:
        code = self._codes_by_user_code.get(normalize_user_code(user_code))
        if code is None or (tenant is not None and code.tenant != tenant.name):
            return None
        return code

    def poll(
        self, tenant: Tenant, device_auth_id: object, user_code: object
    ) -> tuple[DeviceCode, PollAnswer, bool]:
        if not isinstance(device_auth_id, str) or not isinstance(user_code, str):
            raise invalid_request("device_auth_id and user_code are required strings")
        code = self._codes_by_device_id.get(device_auth_id)
        if code is None or code.tenant != tenant.name or code.user_code != user_code:
            raise invalid_grant("unknown device_auth_id or user_code")
        answer, too_fast = code.poll(self.clock.now())
        if too_fast and tenant.settings.enforce_interval and answer is PollAnswer.PENDING:
            answer = PollAnswer.SLOW_DOWN
        if answer is PollAnswer.APPROVED and code.authorization_code is None:
            self._grant_for_device_code(code)
        return code, answer, too_fast

    def approve(self, code: DeviceCode, fields: PersonaFields | None) -> Persona | None:
        persona = self.personas.complete(fields)
        return persona if code.decide(CodeState.APPROVED, persona) else None

    def _grant_for_device_code(self, code: DeviceCode) -> AuthorizationCode:
        if code.persona is None:
            code.persona = self.personas.complete(code.script.persona)
        verifier = secrets.token_urlsafe(48)
        grant = AuthorizationCode(
            code=new_authorization_code(),
            tenant=code.tenant,
            client_id=self.config.client_id,
            redirect_uri="",  # device flow: any {issuer}/deviceauth/callback is accepted
            code_challenge=pkce_challenge(verifier),
            code_challenge_method="S256",
            persona=code.persona,
            expires_at=self.clock.now() + AUTHORIZATION_CODE_LIFETIME,
            script=code.script,
            user_code=code.user_code,
        )
        # The device flow hands the verifier to the client: keep it until the poll answers.
        self._auth_codes[grant.code] = grant
        code.authorization_code = grant.code
        self._verifiers[grant.code] = verifier
        return grant

    def device_grant_body(self, code: DeviceCode) -> dict[str, str]:
        assert code.authorization_code is not None
        grant = self._auth_codes[code.authorization_code]
        return {
            "authorization_code": grant.code,
            "code_challenge": grant.code_challenge,
            "code_verifier": self._verifiers[grant.code],
        }

    # -- browser login ---------------------------------------------------------------------

    def authorize(self, tenant: Tenant, params: dict[str, str]) -> BrowserRequest:
        if params.get("response_type") != "code":
            raise invalid_request("response_type must be 'code'")
        if params.get("client_id") != self.config.client_id:
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
            client_id=self.config.client_id,
            redirect_uri=redirect_uri,
            state=params.get("state", ""),
            code_challenge=challenge,
            code_challenge_method="S256",
            scope=params.get("scope"),
            script=tenant.plan.take(),
        )
        tenant.browser_requests[request.id] = request
        return request

    def complete_browser(
        self, request: BrowserRequest, approve: bool, fields: PersonaFields | None
    ) -> str:
        """The redirect URL that ends a browser login, approved or not."""
        from urllib.parse import urlencode

        tenant = self.tenants[request.tenant]
        tenant.browser_requests.pop(request.id, None)
        sep = "&" if "?" in request.redirect_uri else "?"
        if not approve:
            query = {"error": "access_denied", "error_description": "The user denied access"}
            if request.state:
                query["state"] = request.state
            return request.redirect_uri + sep + urlencode(query)
        persona = self.personas.complete(fields or request.script.persona)
        grant = AuthorizationCode(
            code=new_authorization_code(),
            tenant=request.tenant,
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            persona=persona,
            expires_at=self.clock.now() + AUTHORIZATION_CODE_LIFETIME,
            script=request.script,
        )
        self._auth_codes[grant.code] = grant
        query = {"code": grant.code}
        if request.state:
            query["state"] = request.state
        if request.scope:
            query["scope"] = request.scope
        return request.redirect_uri + sep + urlencode(query)

    def browser_error_redirect(self, request: BrowserRequest, error: str) -> str:
        from urllib.parse import urlencode

        self.tenants[request.tenant].browser_requests.pop(request.id, None)
        query = {"error": error, "error_description": "scripted authorization failure"}
        if request.state:
            query["state"] = request.state
        sep = "&" if "?" in request.redirect_uri else "?"
        return request.redirect_uri + sep + urlencode(query)

    # -- token endpoint ---------------------------------------------------------------------

    def exchange_code(self, tenant: Tenant, form: dict[str, str]) -> TokenSet:
        code = form.get("code", "")
        if not code:
            raise invalid_request("code is required")
        if form.get("client_id") != self.config.client_id:
            raise invalid_client(f"unknown client_id {form.get('client_id')!r}")
        grant = self._auth_codes.get(code)
        if grant is None or grant.tenant != tenant.name:
            raise invalid_grant("unknown authorization code")
        if grant.used:
            self._revoke_families(grant.issued_families)
            raise invalid_grant("authorization code was already used")
        if self.clock.now() >= grant.expires_at:
            raise invalid_grant("authorization code expired")
        redirect_uri = form.get("redirect_uri", "")
        if grant.redirect_uri:
            if redirect_uri != grant.redirect_uri:
                raise invalid_grant("redirect_uri does not match the authorization request")
        elif not redirect_uri.endswith("/deviceauth/callback"):
            raise invalid_grant("redirect_uri must be {issuer}/deviceauth/callback")
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise invalid_request("code_verifier is required (PKCE)")
        if pkce_challenge(verifier) != grant.code_challenge:
            raise invalid_grant("code_verifier does not match the code_challenge")
        grant.used = True
        self._verifiers.pop(grant.code, None)
        script = grant.script
        if script is not None and script.outcome is LoginOutcome.TOKEN_EXCHANGE_FAILURE:
            status = script.status or 400
            if status >= 500:
                raise OAuthError("server_error", "scripted token exchange failure", status)
            raise OAuthError("invalid_grant", "scripted token exchange failure", status)
        if grant.user_code is not None:
            device_code = self._codes_by_user_code.get(grant.user_code)
            if device_code is not None:
                device_code.state = CodeState.EXCHANGED
        workspace_failure = (
            script
            if script is not None and script.outcome is LoginOutcome.WORKSPACE_CHECK_FAILURE
            else None
        )
        tokens, family = self._mint(grant.tenant, grant.persona, workspace_failure)
        grant.issued_families.append(family)
        return tokens

    def _mint(
        self, tenant: str, persona: Persona, workspace_failure: Script | None = None
    ) -> tuple[TokenSet, str]:
        tokens = self.minter.mint(persona, self.clock.now())
        family = new_family()
        self._keep_refresh(tokens, tenant, family, persona)
        self.accounts[persona.account_id] = Account(persona, tenant, workspace_failure)
        return tokens, family

    def mint_for(self, tenant: Tenant, fields: PersonaFields | None) -> tuple[TokenSet, Persona]:
        persona = self.personas.complete(fields)
        tokens, _ = self._mint(tenant.name, persona)
        return tokens, persona

    def refresh(self, tenant: Tenant, body: dict[str, str]) -> TokenSet:
        token = body.get("refresh_token", "")
        if not token:
            raise invalid_request("refresh_token is required")
        if body.get("client_id") != self.config.client_id:
            raise invalid_client(f"unknown client_id {body.get('client_id')!r}")
        grant = self._refresh.get(token)
        if grant is None or grant.tenant != tenant.name:
            raise invalid_grant("unknown refresh token")
        if grant.revoked or grant.family in self._families_revoked:
            raise OAuthError(
                "refresh_token_invalidated", "the refresh token was revoked", status=401
            )
        if grant.used:
            self._revoke_families([grant.family])
            raise OAuthError(
                "refresh_token_reused",
                "the refresh token was already used; its family is now revoked",
                status=401,
            )
        grant.used = True
        if grant.access_jti:
            self._revoked_jtis.add(grant.access_jti)
        tokens = self.minter.mint(grant.persona, self.clock.now())
        self._keep_refresh(tokens, grant.tenant, grant.family, grant.persona)
        return tokens

    def _keep_refresh(self, tokens: TokenSet, tenant: str, family: str, persona: Persona) -> None:
        self._refresh[tokens.refresh_token] = RefreshGrant(
            token=tokens.refresh_token,
            tenant=tenant,
            family=family,
            persona=persona,
            client_id=self.config.client_id,
            access_jti=_jti(tokens.access_token),
        )

    def revoke(self, token: str) -> bool:
        """RFC 7009: revoke a refresh or access token; unknown tokens are not an error."""
        grant = self._refresh.get(token)
        if grant is not None:
            grant.revoked = True
            self._revoke_families([grant.family])
            return True
        claims = self.key.verify(token)
        if claims is not None and isinstance(claims.get("jti"), str):
            self._revoked_jtis.add(claims["jti"])
            return True
        return False

    def _revoke_families(self, families: list[str]) -> None:
        self._families_revoked.update(families)
        for grant in self._refresh.values():
            if grant.family in families and grant.access_jti:
                self._revoked_jtis.add(grant.access_jti)

    # -- resource side ------------------------------------------------------------------------

    def verify_bearer(self, authorization: str | None) -> dict[str, Any] | None:
        """Claims of a valid access token from an ``Authorization: Bearer`` header."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        claims = self.key.verify(authorization[7:].strip())
        if claims is None:
            return None
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= self.clock.now():
            return None
        if claims.get("jti") in self._revoked_jtis:
            return None
        return claims

    def stats(self) -> dict[str, int]:
        return {
            "tenants": len(self.tenants),
            "device_codes": len(self._codes_by_user_code),
            "authorization_codes": len(self._auth_codes),
            "refresh_tokens": len(self._refresh),
            "accounts": len(self.accounts),
        }


def _jti(token: str) -> str | None:
    claims = unverified_claims(token)
    jti = claims.get("jti") if claims else None
    return jti if isinstance(jti, str) else None
