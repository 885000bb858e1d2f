"""``account/logout``: revoke a stored ChatGPT login's refresh token (best effort, as
upstream: a failed revocation never blocks a logout), then forget every login."""

from __future__ import annotations

import asyncio
import logging

from ..account_view import account_updated
from ..auth_store import StoredAuth
from ..backend_client import BackendError
from ..context import Context, Reply
from ..errors import InternalError, os_error_text
from ..protocol import account as p

log = logging.getLogger("reference_server")
REVOKE_TIMEOUT = 10.0


async def logout(ctx: Context, params: None) -> Reply[p.LogoutAccountResponse]:
    stored = ctx.credentials.store.load()
    if stored is not None and stored.mode == "chatgpt":
        await _revoke(ctx, stored)
    try:
        ctx.credentials.sign_out()
    except OSError as exc:
        raise InternalError(f"logout failed: {os_error_text(exc)}") from exc
    return Reply(p.LogoutAccountResponse(), [account_updated(None)])


async def _revoke(ctx: Context, auth: StoredAuth) -> None:
    if not auth.refresh_token:
        return
    body = {
        "token": auth.refresh_token,
        "token_type_hint": "refresh_token",
        "client_id": ctx.settings.client_id,
    }
    try:
        await asyncio.wait_for(
            ctx.backend.request("POST", ctx.settings.revoke_url, json_body=body), REVOKE_TIMEOUT
        )
    except (BackendError, TimeoutError) as exc:
        log.warning("token revocation failed: %s", exc)
