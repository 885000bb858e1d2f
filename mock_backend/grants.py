"""Authorization codes and refresh tokens: one-time use, rotation, replay detection.

Follows RFC 6749 §4.1.2 (a reused code is refused and what it issued is revoked)
and the rotation rule of OAuth 2.1 / RFC 6819 §5.2.2.3 (a refresh token is good
once; replaying it revokes its whole family). Error codes for refresh failures
are the ones the codex client classifies: ``refresh_token_reused``,
``refresh_token_invalidated``, ``refresh_token_expired``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .personas import Persona
from .scripts import Script

AUTHORIZATION_CODE_LIFETIME = 600.0


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    tenant: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    persona: Persona
    expires_at: float
    script: Script | None = None
    user_code: str | None = None
    used: bool = False
    issued_families: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RefreshGrant:
    token: str
    tenant: str
    family: str
    persona: Persona
    client_id: str
    access_jti: str | None = None
    used: bool = False
    revoked: bool = False


def new_authorization_code() -> str:
    return "ac_" + secrets.token_urlsafe(24)


def new_family() -> str:
    return secrets.token_hex(8)
