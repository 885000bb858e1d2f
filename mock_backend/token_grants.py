"""The token endpoint's rules: code exchange, refresh rotation, revocation, bearer checks.

Authorization codes (from either login), refresh tokens and their families, what has
been revoked, and the accounts that logged in are kept here, backend-wide: each
record remembers its tenant, and a request made through another tenant's address
does not see it. No HTTP: the routes turn an :class:`OAuthError` into the answer.
"""

from __future__ import annotations

from typing import Any

from .clock import Clock
from .config import BackendConfig
from .device_codes import CodeState
from .grants import Account, AuthorizationCode, RefreshGrant, new_family
from .oauth_errors import OAuthError, invalid_client, invalid_grant, invalid_request
from .personas import Persona, PersonaFactory, PersonaFields
from .scripts import LoginOutcome, Script
from .tokens import SigningKey, TokenMinter, TokenSet, pkce_challenge, unverified_claims


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
        self._codes: dict[str, AuthorizationCode] = {}
        #: Device flow: the backend made the PKCE pair, and hands the verifier to the
        #: client with the poll's answer; kept until the code is exchanged.
        self._verifiers: dict[str, str] = {}
        self._refresh: dict[str, RefreshGrant] = {}
        self._families_revoked: set[str] = set()
        self._revoked_jtis: set[str] = set()
        self.accounts: dict[str, Account] = {}

    def add_code(self, grant: AuthorizationCode, verifier: str | None = None) -> None:
        self._codes[grant.code] = grant
        if verifier is not None:
            self._verifiers[grant.code] = verifier

    def device_grant_body(self, authorization_code: str) -> dict[str, str]:
        """The device poll's success body: the code and the PKCE pair made for it."""
        grant = self._codes[authorization_code]
        return {
            "authorization_code": grant.code,
            "code_challenge": grant.code_challenge,
            "code_verifier": self._verifiers[grant.code],
        }

    def exchange_code(self, tenant: str, form: dict[str, str]) -> TokenSet:
        code = form.get("code", "")
        if not code:
            raise invalid_request("code is required")
        if form.get("client_id") != self._client_id:
            raise invalid_client(f"unknown client_id {form.get('client_id')!r}")
        grant = self._codes.get(code)
        if grant is None or grant.tenant != tenant:
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
        self.accounts[persona.account_id] = Account(persona, tenant, workspace_failure)
        return tokens, family

    def refresh(self, tenant: str, body: dict[str, str]) -> TokenSet:
        token = body.get("refresh_token", "")
        if not token:
            raise invalid_request("refresh_token is required")
        if body.get("client_id") != self._client_id:
            raise invalid_client(f"unknown client_id {body.get('client_id')!r}")
        grant = self._refresh.get(token)
        if grant is None or grant.tenant != tenant:
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
        self._refresh[tokens.refresh_token] = RefreshGrant(
            tenant=tenant, family=family, persona=persona, access_jti=_jti(tokens.access_token)
        )

    def revoke(self, token: str) -> bool:
        """RFC 7009: revoke a refresh or access token; unknown tokens are not an error."""
        grant = self._refresh.get(token)
        if grant is not None:
            grant.revoked = True
            self._revoke_families([grant.family])
            return True
        claims = self._key.verify(token)
        if claims is not None and isinstance(claims.get("jti"), str):
            self._revoked_jtis.add(claims["jti"])
            return True
        return False

    def _revoke_families(self, families: list[str]) -> None:
        self._families_revoked.update(families)
        for grant in self._refresh.values():
            if grant.family in families and grant.access_jti:
                self._revoked_jtis.add(grant.access_jti)

    def verify_bearer(self, authorization: str | None) -> dict[str, Any] | None:
        """Claims of a valid access token from an ``Authorization: Bearer`` header."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        claims = self._key.verify(authorization[7:].strip())
        if claims is None:
            return None
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= self._clock.now():
            return None
        if claims.get("jti") in self._revoked_jtis:
            return None
        return claims

    def forget(self, tenant: str) -> None:
        """Drop one tenant's codes, refresh tokens and accounts (revocations stay)."""
        for code in [c for c, g in self._codes.items() if g.tenant == tenant]:
            del self._codes[code]
            self._verifiers.pop(code, None)
        for token in [t for t, g in self._refresh.items() if g.tenant == tenant]:
            del self._refresh[token]
        for account in [a for a, v in self.accounts.items() if v.tenant == tenant]:
            del self.accounts[account]

    def counts(self) -> dict[str, int]:
        return {
            "authorization_codes": len(self._codes),
            "refresh_tokens": len(self._refresh),
            "accounts": len(self.accounts),
        }


def _jti(token: str) -> str | None:
    claims = unverified_claims(token)
    jti = claims.get("jti") if claims else None
    return jti if isinstance(jti, str) else None
