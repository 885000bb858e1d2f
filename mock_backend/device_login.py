"""The device-code login (RFC 8628) as the backend runs it: issue, poll, decide, grant.

A user code and a device id are secrets unique across the backend; each code
remembers its tenant, and a request made through another tenant's address does
not see it (the page and the control API look codes up in their tenant's own
table, the poll checks the tenant of the device id). An approved code becomes an authorization code
with a PKCE pair the backend made itself: the poll hands the pair to the client,
which exchanges it at the token endpoint like a browser login's code.
"""

from __future__ import annotations

import secrets
from typing import Any

from .clock import Clock
from .config import BackendConfig
from .device_codes import CodeState, DeviceCode, PollAnswer, normalize_user_code
from .grants import AUTHORIZATION_CODE_LIFETIME, AuthorizationCode, new_authorization_code
from .oauth_errors import invalid_client, invalid_grant, invalid_request
from .personas import Persona, PersonaFactory, PersonaFields
from .scripts import LoginOutcome
from .tenants import Tenant
from .token_grants import TokenGrants
from .tokens import pkce_challenge


class ScriptedFailure(Exception):
    """A scripted outcome that answers with an HTTP failure instead of a result."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"scripted failure {status}")
        self.status = status
        self.body = body


class DeviceLogins:
    """Every outstanding device code of the backend, indexed by its two secrets."""

    def __init__(
        self, config: BackendConfig, clock: Clock, personas: PersonaFactory, grants: TokenGrants
    ) -> None:
        self._client_id = config.client_id
        self._max_codes = config.max_codes
        self._clock = clock
        self._personas = personas
        self._grants = grants
        self._by_device_id: dict[str, DeviceCode] = {}
        self._by_user_code: dict[str, DeviceCode] = {}

    def issue(self, tenant: Tenant, client_id: object) -> DeviceCode:
        if client_id != self._client_id:
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
            tenant.name, script, self._clock.now(), settings.interval, settings.expires_in
        )
        while code.user_code in self._by_user_code:  # 2.5e10 codes; be certain anyway
            code = DeviceCode(
                tenant.name, script, self._clock.now(), settings.interval, settings.expires_in
            )
        while len(tenant.codes) >= self._max_codes:
            self._drop(tenant.codes.pop(next(iter(tenant.codes))))
            tenant.dropped_codes += 1
        tenant.codes[code.user_code] = code
        self._by_user_code[code.user_code] = code
        self._by_device_id[code.device_auth_id] = code
        return code

    def _drop(self, code: DeviceCode) -> None:
        self._by_device_id.pop(code.device_auth_id, None)
        self._by_user_code.pop(code.user_code, None)

    def find(self, user_code: str, tenant: Tenant) -> DeviceCode | None:
        """A code of this tenant by what a person types (another tenant's is not found)."""
        return tenant.codes.get(normalize_user_code(user_code))

    def poll(
        self, tenant: Tenant, device_auth_id: object, user_code: object
    ) -> tuple[DeviceCode, PollAnswer, bool]:
        """Answer one poll; the flag says it came sooner than the interval allows."""
        if not isinstance(device_auth_id, str) or not isinstance(user_code, str):
            raise invalid_request("device_auth_id and user_code are required strings")
        code = self._by_device_id.get(device_auth_id)
        if code is None or code.tenant != tenant.name or code.user_code != user_code:
            raise invalid_grant("unknown device_auth_id or user_code")
        answer, too_fast = code.poll(self._clock.now())
        if too_fast and tenant.settings.enforce_interval and answer is PollAnswer.PENDING:
            answer = PollAnswer.SLOW_DOWN
        if answer is PollAnswer.APPROVED and code.authorization_code is None:
            self._grant(code)
        return code, answer, too_fast

    def approve(self, code: DeviceCode, fields: PersonaFields | None) -> Persona | None:
        """A person or a test approves; None when the code is no longer pending."""
        persona = self._personas.complete(fields)
        return persona if code.decide(CodeState.APPROVED, persona) else None

    def grant_body(self, code: DeviceCode) -> dict[str, str]:
        """What an approved code's poll answers: the authorization code and its PKCE pair."""
        assert code.authorization_code is not None
        return self._grants.device_grant_body(code.tenant, code.authorization_code)

    def _grant(self, code: DeviceCode) -> None:
        if code.persona is None:
            code.persona = self._personas.complete(code.script.persona)
        verifier = secrets.token_urlsafe(48)
        grant = AuthorizationCode(
            code=new_authorization_code(),
            tenant=code.tenant,
            redirect_uri="",  # device flow: {issuer}/deviceauth/callback, issuer as requested
            code_challenge=pkce_challenge(verifier),
            persona=code.persona,
            expires_at=self._clock.now() + AUTHORIZATION_CODE_LIFETIME,
            script=code.script,
            device_code=code,
        )
        self._grants.add_code(grant, verifier)
        code.authorization_code = grant.code

    def forget(self, tenant: Tenant) -> None:
        """Drop one tenant's codes from the backend-wide indexes."""
        for code in tenant.codes.values():
            self._drop(code)

    def __len__(self) -> int:
        return len(self._by_user_code)
