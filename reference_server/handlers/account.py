"""``account/*``: read, login, cancel, logout, rate limits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING, Any

from ..auth_store import StoredAuth
from ..backend_client import BackendError, status_text
from ..errors import InternalError, InvalidRequest, RpcError
from ..login.browser import BrowserLogin
from ..login.device_code import (
    LoginFailed,
    check_workspace,
    complete_device_login,
    request_device_code,
)
from ..params import parse
from ..protocol import account as p
from . import Outcome

if TYPE_CHECKING:
    from ..connection import Connection

log = logging.getLogger("reference_server")
NOT_COMPLETED = "Login was not completed"


def _updated(auth: StoredAuth | None) -> tuple[str, Any]:
    if auth is None:
        body = p.AccountUpdatedNotification()
    elif auth.mode == "apikey":
        body = p.AccountUpdatedNotification(auth_mode=p.AuthMode.APIKEY)
    elif auth.mode == "chatgptAuthTokens":
        body = p.AccountUpdatedNotification(
            auth_mode=p.AuthMode.CHATGPT_AUTH_TOKENS, plan_type=_plan(auth.plan_type)
        )
    else:
        body = p.AccountUpdatedNotification(
            auth_mode=p.AuthMode.CHATGPT, plan_type=_plan(auth.plan_type)
        )
    return "account/updated", body.wire()


def _plan(raw: str | None) -> p.PlanType:
    try:
        return p.PlanType(raw or "unknown")
    except ValueError:
        return p.PlanType.UNKNOWN


def _completed(login_id: str | None, error: str | None) -> tuple[str, Any]:
    body = p.AccountLoginCompletedNotification(
        login_id=login_id, success=error is None, error=error
    )
    return "account/login/completed", body.wire()


async def read(conn: Connection, params: Any, present: bool) -> Outcome:
    request: p.GetAccountParams = parse(p.GetAccountParams, params, present)
    auth = conn.current_auth()
    if request.refresh_token and auth is not None and auth.mode == "chatgpt":
        auth = await _refresh_managed(conn, auth)
    account: p.Account | None = None
    if auth is not None and auth.mode == "apikey":
        account = p.Account(p.ApiKeyAccount(type="apiKey"))
    elif auth is not None:
        account = p.Account(
            p.ChatgptAccount(type="chatgpt", email=auth.email, plan_type=_plan(auth.plan_type))
        )
    routing = None
    if auth is not None and auth.mode != "apikey" and auth.account_id:
        routing = conn.routing.get(auth.account_id)
    response = p.GetAccountResponse(
        account=account, requires_openai_auth=True, workspace_routing=routing
    )
    return Outcome(response.wire())


async def login_start(conn: Connection, params: Any, present: bool) -> Outcome:
    request: (
        p.ApiKeyLoginParams
        | p.ChatgptLoginParams
        | p.ChatgptDeviceCodeLoginParams
        | p.ChatgptAuthTokensLoginParams
    ) = parse(p.LoginAccountParams, params, present)
    if isinstance(request, p.ChatgptAuthTokensLoginParams) and not conn.experimental:
        raise InvalidRequest(
            "account/login/start.chatgptAuthTokens requires experimentalApi capability"
        )
    forced = conn.settings.forced_login_method
    if forced == "api" and not isinstance(request, p.ApiKeyLoginParams):
        raise InvalidRequest("ChatGPT login is disabled. Use API key login instead.")
    if forced == "chatgpt" and isinstance(request, p.ApiKeyLoginParams):
        raise InvalidRequest("API key login is disabled. Use ChatGPT login instead.")
    kind = {"chatgpt": "browser", "chatgptAuthTokens": "external"}.get(request.type, "device")
    then = await conn.cancel_pending_logins(kind)
    if isinstance(request, p.ApiKeyLoginParams):
        auth = StoredAuth(mode="apikey", api_key=request.api_key)
        conn.store.save(auth)
        api_key = p.ApiKeyLoginResponse(type="apiKey")
        return Outcome(api_key.wire(), [*then, _completed(None, None), _updated(auth)])
    if isinstance(request, p.ChatgptDeviceCodeLoginParams):
        code = await request_device_code(conn.client, conn.settings)
        login_id = str(uuid.uuid4())
        conn.start_login(login_id, _run_device_login(conn, login_id, code))
        response = p.ChatgptDeviceCodeLoginResponse(
            type="chatgptDeviceCode",
            login_id=login_id,
            verification_url=code.verification_url,
            user_code=code.user_code,
        )
        return Outcome(response.wire(), then)
    if isinstance(request, p.ChatgptAuthTokensLoginParams):
        external = StoredAuth(
            mode="chatgptAuthTokens",
            access_token=request.access_token,
            account_id=request.chatgpt_account_id,
            given_plan=request.chatgpt_plan_type,
        )
        internal_id = str(uuid.uuid4())  # upstream reports no login id for this login
        conn.start_login(internal_id, _run_external_login(conn, internal_id, external), "external")
        tokens = p.ChatgptAuthTokensLoginResponse(type="chatgptAuthTokens")
        return Outcome(tokens.wire(), then)
    if isinstance(request, p.ChatgptLoginParams):
        browser = BrowserLogin(conn.settings, conn.client, conn.client_name)
        try:
            await browser.start()
        except LoginFailed as failure:
            raise InternalError(str(failure)) from failure
        login_id = str(uuid.uuid4())
        conn.start_login(login_id, _run_browser_login(conn, login_id, browser), "browser")
        started = p.ChatgptLoginResponse(
            type="chatgpt", login_id=login_id, auth_url=browser.auth_url()
        )
        return Outcome(started.wire(), then)
    raise InternalError(
        f"login type {request.type!r} is not implemented by the reference server yet"
    )


async def _run_browser_login(conn: Connection, login_id: str, browser: BrowserLogin) -> None:
    assert browser.result is not None
    try:
        auth, routing = await browser.result
    except LoginFailed as failure:
        conn.logins.pop(login_id, None)
        conn.notify(*_completed(login_id, str(failure)))
        return
    finally:
        await asyncio.sleep(0.2)  # let the browser load /success before the server goes
        await browser.stop()
    conn.logins.pop(login_id, None)
    conn.store.save(auth)
    conn.routing[routing["chatgptAccountId"]] = p.WorkspaceRouting.model_validate(routing)
    conn.notify(*_completed(login_id, None))
    conn.notify(*_updated(auth))


async def _run_external_login(conn: Connection, internal_id: str, auth: StoredAuth) -> None:
    """Tokens from the client: check the workspace, then hold them in memory only."""
    try:
        routing = await check_workspace(conn.client, conn.settings, auth)
    except LoginFailed as failure:
        conn.logins.pop(internal_id, None)
        conn.notify(*_completed(None, str(failure)))
        return
    conn.logins.pop(internal_id, None)
    conn.external_auth = auth
    conn.routing[routing["chatgptAccountId"]] = p.WorkspaceRouting.model_validate(routing)
    conn.notify(*_completed(None, None))
    conn.notify(*_updated(auth))
    if (auth.plan_type or "") in MANAGED_PLANS:
        await _sync_workspace_config(conn)


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


async def _sync_workspace_config(conn: Connection) -> None:
    """Fetch the workspace config bundle; on a 401, ask the client for fresh tokens.

    This is where 0.163.0 sends ``account/chatgptAuthTokens/refresh`` for tokens it does
    not own: the client answers within 10 s, or the fetch is given up.
    """
    auth = conn.external_auth
    if auth is None:
        return
    url = f"{conn.settings.chatgpt_base_url}wham/config/bundle"
    for _ in range(2):
        headers = {"Authorization": f"Bearer {auth.access_token}"}
        if auth.account_id:
            headers["ChatGPT-Account-Id"] = auth.account_id
        try:
            reply = await conn.client.request("GET", url, headers=headers)
        except BackendError:
            return
        if reply.status != 401:
            return
        params = p.ChatgptAuthTokensRefreshParams(
            reason=p.ChatgptAuthTokensRefreshReason.UNAUTHORIZED,
            previous_account_id=auth.account_id,
        )
        try:
            answer = await conn.server_request(
                "account/chatgptAuthTokens/refresh", params.wire(), REFRESH_TIMEOUT
            )
            fresh: p.ChatgptAuthTokensRefreshResponse = parse(
                p.ChatgptAuthTokensRefreshResponse, answer, True
            )
        except TimeoutError:
            log.warning("auth refresh request timed out after %.0fs", REFRESH_TIMEOUT)
            return
        except (RpcError, InvalidRequest) as exc:
            log.warning("auth refresh request failed: %s", exc)
            return
        auth = StoredAuth(
            mode="chatgptAuthTokens",
            access_token=fresh.access_token,
            account_id=fresh.chatgpt_account_id,
            given_plan=fresh.chatgpt_plan_type or auth.given_plan,
        )
        conn.external_auth = auth


async def _run_device_login(conn: Connection, login_id: str, code: Any) -> None:
    try:
        auth, routing = await complete_device_login(conn.client, conn.settings, code)
    except LoginFailed as failure:
        conn.logins.pop(login_id, None)
        conn.notify(*_completed(login_id, str(failure)))
        return
    conn.logins.pop(login_id, None)
    conn.store.save(auth)
    conn.routing[routing["chatgptAccountId"]] = p.WorkspaceRouting.model_validate(routing)
    conn.notify(*_completed(login_id, None))
    conn.notify(*_updated(auth))


async def login_cancel(conn: Connection, params: Any, present: bool) -> Outcome:
    request: p.CancelLoginAccountParams = parse(p.CancelLoginAccountParams, params, present)
    try:
        uuid.UUID(request.login_id)
    except ValueError as exc:
        raise InvalidRequest(f"invalid login id: {request.login_id}") from exc
    task = conn.logins.pop(request.login_id, None)
    if task is None:
        return Outcome(
            p.CancelLoginAccountResponse(status=p.CancelLoginAccountStatus.NOT_FOUND).wire()
        )
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    response = p.CancelLoginAccountResponse(status=p.CancelLoginAccountStatus.CANCELED)
    return Outcome(response.wire(), [_completed(request.login_id, NOT_COMPLETED)])


async def _refresh_managed(conn: Connection, auth: StoredAuth) -> StoredAuth:
    """Refresh tokens this server owns (auth.json), rotating the refresh token."""
    body = {
        "client_id": conn.settings.client_id,
        "grant_type": "refresh_token",
        "refresh_token": auth.refresh_token,
    }
    try:
        reply = await conn.client.request("POST", conn.settings.refresh_url, json_body=body)
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
    conn.store.save(fresh)
    return fresh


async def _revoke(conn: Connection, auth: StoredAuth) -> None:
    """Best effort, as upstream: a failed revocation never blocks a logout."""
    if not auth.refresh_token:
        return
    body = {
        "token": auth.refresh_token,
        "token_type_hint": "refresh_token",
        "client_id": conn.settings.client_id,
    }
    try:
        await asyncio.wait_for(
            conn.client.request("POST", conn.settings.revoke_url, json_body=body), 10
        )
    except (BackendError, TimeoutError) as exc:
        log.warning("token revocation failed: %s", exc)


async def logout(conn: Connection, params: Any, present: bool) -> Outcome:
    stored = conn.store.load()
    if stored is not None and stored.mode == "chatgpt":
        await _revoke(conn, stored)
    conn.store.delete()
    conn.external_auth = None
    conn.routing.clear()
    return Outcome(p.LogoutAccountResponse().wire(), [_updated(None)])


async def rate_limits(conn: Connection, params: Any, present: bool) -> Outcome:
    auth = conn.current_auth()
    if auth is None:
        raise InvalidRequest("codex account authentication required to read rate limits")
    if auth.mode == "apikey":
        raise InvalidRequest("chatgpt authentication required to read rate limits")
    url = f"{conn.settings.chatgpt_base_url}wham/usage"
    headers = {"Authorization": f"Bearer {auth.access_token}"}
    if auth.account_id:
        headers["ChatGPT-Account-Id"] = auth.account_id
    try:
        reply = await conn.client.request("GET", url, headers=headers)
    except BackendError as exc:
        raise InternalError(f"failed to fetch codex rate limits: {exc}") from exc
    if reply.status != 200 or not isinstance(reply.body, dict):
        raise InternalError(
            f"failed to fetch codex rate limits: GET {url} failed: {status_text(reply.status)}; "
            f"content-type={reply.content_type}; body={reply.text}"
        )
    snapshot = _snapshot(reply.body)
    response = p.GetAccountRateLimitsResponse(
        rate_limits=snapshot, rate_limits_by_limit_id={"codex": snapshot}
    )
    return Outcome(response.wire())


def _window(raw: Any) -> p.RateLimitWindow | None:
    if not isinstance(raw, dict):
        return None
    seconds = raw.get("limit_window_seconds")
    return p.RateLimitWindow(
        used_percent=int(raw.get("used_percent", 0)),
        window_duration_mins=int(seconds) // 60 if isinstance(seconds, int) else None,
        resets_at=raw.get("reset_at") if isinstance(raw.get("reset_at"), int) else None,
    )


def _snapshot(body: dict[str, Any]) -> p.RateLimitSnapshot:
    limits = body.get("rate_limit") if isinstance(body.get("rate_limit"), dict) else {}
    assert isinstance(limits, dict)
    credits = body.get("credits")
    return p.RateLimitSnapshot(
        limit_id="codex",
        primary=_window(limits.get("primary_window")),
        secondary=_window(limits.get("secondary_window")),
        credits=p.CreditsSnapshot(
            has_credits=bool(credits.get("has_credits")),
            unlimited=bool(credits.get("unlimited")),
            balance=credits.get("balance"),
        )
        if isinstance(credits, dict)
        else None,
        plan_type=_plan(body.get("plan_type")) if body.get("plan_type") else None,
    )
