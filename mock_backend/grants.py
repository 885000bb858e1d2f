"""The records of the OAuth grants: a browser login's pending request, authorization
codes, refresh tokens, and the accounts that logged in.

Follows RFC 6749 §4.1.2 (a reused code is refused and what it issued is revoked)
and the rotation rule of OAuth 2.1 / RFC 6819 §5.2.2.3 (a refresh token is good
once; replaying it revokes its whole family). Error codes for refresh failures
are the ones the codex client classifies: ``refresh_token_reused``,
``refresh_token_invalidated``, ``refresh_token_expired``. The rules that use these
records are in :mod:`mock_backend.token_grants`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .device_codes import DeviceCode
from .personas import Persona
from .scripts import Script

AUTHORIZATION_CODE_LIFETIME = 600.0


@dataclass(slots=True)
class BrowserRequest:
    """An /oauth/authorize request waiting for a person on the page."""

    id: str
    tenant: str
    redirect_uri: str
    state: str
    code_challenge: str
    scope: str | None
    script: Script


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    tenant: str
    #: Empty for the device flow: ``{issuer}/deviceauth/callback`` for the issuer the
    #: exchange comes through.
    redirect_uri: str
    code_challenge: str
    persona: Persona
    expires_at: float
    script: Script | None = None
    #: The device code this grant ends (device flow only): exchanged with it.
    device_code: DeviceCode | None = None
    used: bool = False
    issued_families: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RefreshGrant:
    tenant: str
    family: str
    persona: Persona
    access_jti: str | None = None
    used: bool = False
    revoked: bool = False


@dataclass(slots=True)
class Account:
    """Who logged in: what ``wham/accounts/check`` and ``wham/usage`` answer for."""

    persona: Persona
    tenant: str
    workspace_failure: Script | None = None


def new_authorization_code() -> str:
    return "ac_" + secrets.token_urlsafe(24)


def new_family() -> str:
    return secrets.token_hex(8)
