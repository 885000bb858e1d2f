"""Refresh a stored ChatGPT login's tokens: an OAuth ``refresh_token`` grant at the issuer,
the rotated tokens stored. ``account/read`` with ``refreshToken`` uses it, and so does a
model request the backend answered 401."""

from __future__ import annotations

import logging

from .auth_store import StoredAuth
from .backend_client import BackendClient, BackendError, status_text
from .credentials import Credentials
from .settings import Settings

log = logging.getLogger("reference_server")


async def refresh_tokens(
    backend: BackendClient, settings: Settings, credentials: Credentials, auth: StoredAuth
) -> StoredAuth | None:
    """The refreshed login, stored; ``None`` (and a line on stderr) when the issuer would
    not refresh it."""
    body = {
        "client_id": settings.client_id,
        "grant_type": "refresh_token",
        "refresh_token": auth.refresh_token,
    }
    try:
        reply = await backend.request("POST", settings.refresh_url, json_body=body)
    except BackendError as exc:
        log.warning("token refresh failed: %s", exc)
        return None
    if reply.status != 200 or not isinstance(reply.body, dict):
        log.warning("token refresh failed: %s", status_text(reply.status))
        return None
    fresh = StoredAuth(
        mode="chatgpt",
        id_token=str(reply.body.get("id_token") or auth.id_token or ""),
        access_token=str(reply.body.get("access_token") or auth.access_token or ""),
        refresh_token=str(reply.body.get("refresh_token") or auth.refresh_token or ""),
        account_id=auth.account_id,
    )
    credentials.sign_in(fresh)  # OSError when auth.json cannot be written
    return fresh
