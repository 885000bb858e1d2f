"""The token endpoint's rules: code exchange, refresh rotation, revocation, bearer checks.

Authorization codes (from either login), refresh tokens and their families, the access
tokens handed out, what has been revoked, and the accounts that logged in are kept
here. Every index is keyed by tenant and secret (access tokens by their ``jti``, with
the tenant that issued them), so a lookup cannot be made without the tenant of the
address the request came through: nothing crosses tenants. No HTTP: the routes turn
an :class:`OAuthError` into the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .clock import Clock
from .config import BackendConfig
from .device_codes import CodeState
from .grants import Account, AuthorizationCode, RefreshGrant, new_family
from .oauth_errors import OAuthError, invalid_client, invalid_grant, invalid_request
from .personas import Persona, PersonaFactory, PersonaFields
from .scripts import LoginOutcome, Script
from .tokens import SigningKey, TokenMinter, TokenSet, pkce_challenge, unverified_claims

BearerState = Literal["live", "missing", "not_issued", "expired", "revoked"]
AUTH_CLAIM = "https://api.openai.com/auth"
#: (tenant, secret): how every code and refresh token is indexed.
_Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Bearer:
    """What an ``Authorization: Bearer`` header carries, judged by one signature check."""

    state: BearerState
    claims: dict[str, Any] | None = None
    #: The tenant that issued the token (None: never issued, or forgotten on reset).
    tenant: str | None = None

    @property
    def account_id(self) -> str | None:
        auth = self.claims.get(AUTH_CLAIM) if self.claims else None
        account = auth.get("chatgpt_account_id") if isinstance(auth, dict) else None
        return account if isinstance(account, str) else None

    def live_at(self, tenant: str) -> bool:
        """Accepted by ``tenant``: live, and issued by it."""
        return self.state == "live" and self.tenant == tenant


class TokenGrants:
    """What the token endpoint has granted and revoked, and the rules for both."""

    def __init__(
        self,
        config: BackendConfig,
        clock: Clock,
        key: SigningKey,
        minter: TokenMinter,
        personas: PersonaFactory,
    ) -> None:
        self._client_id = config.client_id
        self._clock = clock
        self._key = key
        self._minter = minter
        self._personas = personas
        self._codes: dict[_Key, AuthorizationCode] = {}
        #: Device flow: the backend made the PKCE pair, and hands the verifier to the
        #: client with the poll's answer; kept until the code is exchanged.
        self._verifiers: dict[_Key, str] = {}
        self._refresh: dict[_Key, RefreshGrant] = {}
        #: Access tokens handed out: jti -> the tenant that issued it.
        self._access: dict[str, str] = {}
        self._families_revoked: set[str] = set()
        self._revoked_jtis: set[str] = set()
        self._accounts: dict[_Key, Account] = {}

    def add_code(self, grant: AuthorizationCode, verifier: str | None = None) -> None:
        self._codes[grant.tenant, grant.code] = grant
        if verifier is not None:
            self._verifiers[grant.tenant, grant.code] = verifier

    def device_grant_body(self, tenant: str, authorization_code: str) -> dict[str, str]:
        """The device poll's success body: the code and the PKCE pair made for it."""
        grant = self._codes[tenant, authorization_code]
        return {
            "authorization_code": grant.code,
            "code_challenge": grant.code_challenge,
            "code_verifier": self._verifiers[tenant, grant.code],
        }

    def exchange_code(self, tenant: str, form: dict[str, str], device_callback: str) -> TokenSet:
        """Exchange an authorization code; ``device_callback`` is the one redirect_uri a
        device-flow code accepts: ``{issuer}/deviceauth/callback`` for the issuer the
        request came through."""
        code = form.get("code", "")
        if not code:
            raise invalid_request("code is required")
        if form.get("client_id") != self._client_id:
            raise invalid_client(f"unknown client_id {form.get('client_id')!r}")
        grant = self._codes.get((tenant, code))
        if grant is None:
            raise invalid_grant("unknown authorization code")
        if grant.used:
            self._revoke_families(grant.issued_families)
            raise invalid_grant("authorization code was already used")
        if self._clock.now() >= grant.expires_at:
            raise invalid_grant("authorization code expired")
        redirect_uri = form.get("redirect_uri", "")
        if grant.redirect_uri:
            if redirect_uri != grant.redirect_uri:
                raise invalid_grant("redirect_uri does not match the authorization request")
        elif redirect_uri != device_callback:
            raise invalid_grant(
                f"redirect_uri must be {device_callback} ({{issuer}}/deviceauth/callback)"
            )
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise invalid_request("code_verifier is required (PKCE)")
        if pkce_challenge(verifier) != grant.code_challenge:
            raise invalid_grant("code_verifier does not match the code_challenge")
        grant.used = True
        self._verifiers.pop((tenant, grant.code), None)
        script = grant.script
        if script is not None and script.outcome is LoginOutcome.TOKEN_EXCHANGE_FAILURE:
            status = script.status or 400
            if status >= 500:
                raise OAuthError("server_error", "scripted token exchange failure", status)
            raise OAuthError("invalid_grant", "scripted token exchange failure", status)
        if grant.device_code is not None:
            grant.device_code.state = CodeState.EXCHANGED
        workspace_failure = (
            script
            if script is not None and script.outcome is LoginOutcome.WORKSPACE_CHECK_FAILURE
            else None
        )
        tokens, family = self._mint(grant.tenant, grant.persona, workspace_failure)
        grant.issued_families.append(family)
        return tokens

    def mint_for(self, tenant: str, fields: PersonaFields | None) -> tuple[TokenSet, Persona]:
        """Tokens for a persona without a login (the control API's ``POST /tokens``)."""
        persona = self._personas.complete(fields)
        tokens, _ = self._mint(tenant, persona)
        return tokens, persona

    def _mint(
        self, tenant: str, persona: Persona, workspace_failure: Script | None = None
    ) -> tuple[TokenSet, str]:
        tokens = self._minter.mint(persona, self._clock.now())
        family = new_family()
        self._keep_refresh(tokens, tenant, family, persona)
        self._accounts[tenant, persona.account_id] = Account(persona, tenant, workspace_failure)
        return tokens, family

    def refresh(self, tenant: str, body: dict[str, str]) -> TokenSet:
        token = body.get("refresh_token", "")
        if not token:
            raise invalid_request("refresh_token is required")
        if body.get("client_id") != self._client_id:
            raise invalid_client(f"unknown client_id {body.get('client_id')!r}")
        grant = self._refresh.get((tenant, token))
        if grant is None:
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
        tokens = self._minter.mint(grant.persona, self._clock.now())
        self._keep_refresh(tokens, grant.tenant, grant.family, grant.persona)
        return tokens

    def _keep_refresh(self, tokens: TokenSet, tenant: str, family: str, persona: Persona) -> None:
        jti = _jti(tokens.access_token)
        if jti is not None:
            self._access[jti] = tenant
        self._refresh[tenant, tokens.refresh_token] = RefreshGrant(
            tenant=tenant, family=family, persona=persona, access_jti=jti
        )

    def revoke(self, tenant: str, token: str) -> bool:
        """RFC 7009: revoke a refresh or access token this tenant issued; another
        tenant's token, or an unknown one, is left alone (and is not an error)."""
        grant = self._refresh.get((tenant, token))
        if grant is not None:
            grant.revoked = True
            self._revoke_families([grant.family])
            return True
        bearer = self.inspect(f"Bearer {token}")
        jti = bearer.claims.get("jti") if bearer.claims else None
        if bearer.tenant == tenant and isinstance(jti, str):
            self._revoked_jtis.add(jti)
            return True
        return False

    def _revoke_families(self, families: list[str]) -> None:
        self._families_revoked.update(families)
        for grant in self._refresh.values():
            if grant.family in families and grant.access_jti:
                self._revoked_jtis.add(grant.access_jti)

    def inspect(self, authorization: str | None) -> Bearer:
        """The state of a bearer token and the tenant that issued it (one signature check)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return Bearer("missing")
        token = authorization[7:].strip()
        claims = self._key.verify(token) if token else None
        if claims is None:
            return Bearer("missing" if not token else "not_issued")
        jti = claims.get("jti")
        tenant = self._access.get(jti) if isinstance(jti, str) else None
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= self._clock.now():
            return Bearer("expired", claims, tenant)
        if jti in self._revoked_jtis:
            return Bearer("revoked", claims, tenant)
        return Bearer("live", claims, tenant)

    def verify_bearer(self, tenant: str, authorization: str | None) -> dict[str, Any] | None:
        """Claims of a live access token that ``tenant`` issued; None for anything else."""
        bearer = self.inspect(authorization)
        return bearer.claims if bearer.live_at(tenant) else None

    def account(self, tenant: str, account_id: str | None) -> Account | None:
        return self._accounts.get((tenant, account_id)) if account_id is not None else None

    def accounts_of(self, tenant: str) -> list[Account]:
        return [a for (owner, _), a in self._accounts.items() if owner == tenant]

    def forget(self, tenant: str) -> None:
        """Drop one tenant's codes, tokens and accounts (revocations stay)."""
        for index in (self._codes, self._verifiers, self._refresh, self._accounts):
            for key in [k for k in index if k[0] == tenant]:
                del index[key]
        for jti in [j for j, owner in self._access.items() if owner == tenant]:
            del self._access[jti]

    def counts(self) -> dict[str, int]:
        return {
            "authorization_codes": len(self._codes),
            "refresh_tokens": len(self._refresh),
            "accounts": len(self._accounts),
        }


def _jti(token: str) -> str | None:
    claims = unverified_claims(token)
    jti = claims.get("jti") if claims else None
    return jti if isinstance(jti, str) else None
