"""``chatgptAuthTokens``: a login with tokens the client owns and refreshes.

The server checks the workspace, then holds the tokens in memory only. On business and
enterprise plans 0.163.0 then fetches the workspace's config bundle; a 401 there is
where it asks the client for fresh tokens (``account/chatgptAuthTokens/refresh``) and
gives the fetch up when no answer comes within 10 s.
"""

from __future__ import annotations

import logging

from ..auth_store import StoredAuth
from ..backend_client import BackendClient, BackendError, auth_headers
from ..credentials import Credentials
from ..errors import ClientAnsweredError, InvalidRequest
from ..jsonrpc import Ask
from ..params import parse
from ..protocol import account as p
from ..settings import Settings
from .logins import SignIn
from .workspace import check_workspace

log = logging.getLogger("reference_server")

#: Plans whose workspace policies the binary fetches (the config bundle) after login.
MANAGED_PLANS = frozenset(
    {
        "team",
        "business",
        "self_serve_business_prolite",
        "self_serve_business_usage_based",
        "enterprise",
        "enterprise_cbp_automation",
        "enterprise_cbp_usage_based",
        "ent26",
        "edu",
        "edu_plus",
        "edu_pro",
    }
)
REFRESH_TIMEOUT = 10.0


def client_tokens(params: p.ChatgptAuthTokensLoginParams) -> StoredAuth:
    return StoredAuth(
        mode="chatgptAuthTokens",
        access_token=params.access_token,
        account_id=params.chatgpt_account_id,
        given_plan=params.chatgpt_plan_type,
    )


async def external_login(backend: BackendClient, settings: Settings, auth: StoredAuth) -> SignIn:
    """The login flow: the workspace must know the account the client named."""
    return SignIn(auth, await check_workspace(backend, settings, auth))


async def sync_workspace_config(
    backend: BackendClient, settings: Settings, credentials: Credentials, ask: Ask
) -> None:
    """Fetch the workspace config bundle; on a 401, ask the client for fresh tokens once."""
    auth = credentials.in_memory
    if auth is None or (auth.plan_type or "") not in MANAGED_PLANS:
        return
    url = f"{settings.chatgpt_base_url}wham/config/bundle"
    for _ in range(2):
        headers = auth_headers(auth.access_token, auth.account_id)
        try:
            reply = await backend.request("GET", url, headers=headers)
        except BackendError:
            return
        if reply.status != 401:
            return
        fresh = await refresh_client_tokens(credentials, ask)
        if fresh is None:
            return
        auth = fresh


async def refresh_client_tokens(credentials: Credentials, ask: Ask) -> StoredAuth | None:
    """Ask the client for fresh tokens (``account/chatgptAuthTokens/refresh``), 10 s at most;
    the new login is held in memory. ``None`` (and a line on stderr) when none came."""
    auth = credentials.in_memory
    if auth is None:
        return None
    question = p.ChatgptAuthTokensRefreshParams(
        reason=p.ChatgptAuthTokensRefreshReason.UNAUTHORIZED,
        previous_account_id=auth.account_id,
    )
    try:
        answer = await ask(question, REFRESH_TIMEOUT)
        fresh: p.ChatgptAuthTokensRefreshResponse = parse(
            p.ChatgptAuthTokensRefreshResponse, answer, True
        )
    except TimeoutError:
        log.warning("auth refresh request timed out after %.0fs", REFRESH_TIMEOUT)
        return None
    except (ClientAnsweredError, InvalidRequest) as exc:
        log.warning("auth refresh request failed: %s", exc)
        return None
    renewed = StoredAuth(
        mode="chatgptAuthTokens",
        access_token=fresh.access_token,
        account_id=fresh.chatgpt_account_id,
        given_plan=fresh.chatgpt_plan_type or auth.given_plan,
    )
    credentials.sign_in(renewed)
    return renewed
