"""``account/read``: who is signed in; with ``refreshToken``, refresh a stored ChatGPT
login's tokens first (an OAuth ``refresh_token`` grant, the rotated tokens stored)."""

from __future__ import annotations

import logging

from ..account_view import account
from ..auth_store import StoredAuth
from ..backend_client import BackendError, status_text
from ..context import Context, Reply
from ..protocol import account as p

log = logging.getLogger("reference_server")


async def read(ctx: Context, params: p.GetAccountParams) -> Reply[p.GetAccountResponse]:
    auth = ctx.credentials.current()
    if params.refresh_token and auth is not None and auth.mode == "chatgpt":
        auth = await _refresh(ctx, auth)
    response = p.GetAccountResponse(
        account=account(auth),
        requires_openai_auth=True,
        workspace_routing=ctx.credentials.routing(auth),
    )
    return Reply(response)


async def _refresh(ctx: Context, auth: StoredAuth) -> StoredAuth:
    """Best effort: a refresh that fails leaves the login as it was, and is logged."""
    body = {
        "client_id": ctx.settings.client_id,
        "grant_type": "refresh_token",
        "refresh_token": auth.refresh_token,
    }
    try:
        reply = await ctx.backend.request("POST", ctx.settings.refresh_url, json_body=body)
    except BackendError as exc:
        log.warning("token refresh failed: %s", exc)
        return auth
    if reply.status != 200 or not isinstance(reply.body, dict):
        log.warning("token refresh failed: %s", status_text(reply.status))
        return auth
    fresh = StoredAuth(
        mode="chatgpt",
        id_token=str(reply.body.get("id_token") or auth.id_token or ""),
        access_token=str(reply.body.get("access_token") or auth.access_token or ""),
        refresh_token=str(reply.body.get("refresh_token") or auth.refresh_token or ""),
        account_id=auth.account_id,
    )
    ctx.credentials.sign_in(fresh)
    return fresh
