"""``account/read``: who is signed in; with ``refreshToken``, refresh a stored ChatGPT
login's tokens first (an OAuth ``refresh_token`` grant, the rotated tokens stored)."""

from __future__ import annotations

from ..account_view import account
from ..auth_store import StoredAuth
from ..context import Context, Reply
from ..protocol import account as p
from ..token_refresh import refresh_tokens


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
    fresh = await refresh_tokens(ctx.backend, ctx.settings, ctx.credentials, auth)
    return auth if fresh is None else fresh
