"""``account/login/start`` (four kinds) and ``account/login/cancel``.

The start request is answered as soon as the login is under way (a code to show, a URL
to open); the login itself runs in the background, owned by
:class:`~reference_server.login.logins.Logins`, and ends in ``account/login/completed``.
An API-key login is the exception: it is complete when answered.
"""

from __future__ import annotations

import uuid

from ..auth_store import StoredAuth
from ..context import Context, Reply
from ..errors import InternalError, InvalidRequest, os_error_text
from ..login.browser import BrowserLogin
from ..login.device_code import complete_device_login, request_device_code
from ..login.external import client_tokens, external_login, sync_workspace_config
from ..login.logins import SignIn
from ..protocol import account as p
from ..protocol.base import WireModel


async def start(ctx: Context, params: p.LoginParams) -> Reply[p.LoginResponse]:
    _check_allowed(ctx, params)
    replaced = await ctx.logins.replace(params.type)
    try:
        if isinstance(params, p.ApiKeyLoginParams):
            return _api_key(ctx, params, replaced)
        if isinstance(params, p.ChatgptDeviceCodeLoginParams):
            response: p.LoginResponse = await _device_code(ctx)
        elif isinstance(params, p.ChatgptAuthTokensLoginParams):
            response = _client_tokens(ctx, params)
        else:
            response = await _browser(ctx)
    except Exception:
        for notice in replaced:  # the logins this one replaced end even if it cannot start
            ctx.notify(notice)
        raise
    return Reply(response, replaced)


def _check_allowed(ctx: Context, params: p.LoginParams) -> None:
    if isinstance(params, p.ChatgptAuthTokensLoginParams) and not ctx.peer.experimental:
        raise InvalidRequest(
            "account/login/start.chatgptAuthTokens requires experimentalApi capability"
        )
    forced = ctx.settings.forced_login_method
    if forced == "api" and not isinstance(params, p.ApiKeyLoginParams):
        raise InvalidRequest("ChatGPT login is disabled. Use API key login instead.")
    if forced == "chatgpt" and isinstance(params, p.ApiKeyLoginParams):
        raise InvalidRequest("API key login is disabled. Use ChatGPT login instead.")


def _api_key(
    ctx: Context, params: p.ApiKeyLoginParams, replaced: list[WireModel]
) -> Reply[p.LoginResponse]:
    auth = StoredAuth(mode="apikey", api_key=params.api_key)
    try:
        finished = ctx.logins.finish(None, SignIn(auth))
    except OSError as exc:
        raise InternalError(f"failed to save api key: {os_error_text(exc)}") from exc
    return Reply(p.ApiKeyLoginResponse(type="apiKey"), [*replaced, *finished])


async def _device_code(ctx: Context) -> p.ChatgptDeviceCodeLoginResponse:
    code = await request_device_code(ctx.backend, ctx.settings)
    flow = complete_device_login(ctx.backend, ctx.settings, code)
    return p.ChatgptDeviceCodeLoginResponse(
        type="chatgptDeviceCode",
        login_id=ctx.logins.start("chatgptDeviceCode", flow),
        verification_url=code.verification_url,
        user_code=code.user_code,
    )


def _client_tokens(
    ctx: Context, params: p.ChatgptAuthTokensLoginParams
) -> p.ChatgptAuthTokensLoginResponse:
    async def after(_: SignIn) -> None:
        await sync_workspace_config(ctx.backend, ctx.settings, ctx.credentials, ctx.ask)

    flow = external_login(ctx.backend, ctx.settings, client_tokens(params))
    ctx.logins.start("chatgptAuthTokens", flow, after)
    return p.ChatgptAuthTokensLoginResponse(type="chatgptAuthTokens")


async def _browser(ctx: Context) -> p.ChatgptLoginResponse:
    browser = BrowserLogin(ctx.settings, ctx.backend, ctx.peer.name)
    await browser.start()
    login_id = ctx.logins.start("chatgpt", browser.finished())
    return p.ChatgptLoginResponse(type="chatgpt", login_id=login_id, auth_url=browser.auth_url())


async def cancel(
    ctx: Context, params: p.CancelLoginAccountParams
) -> Reply[p.CancelLoginAccountResponse]:
    try:
        uuid.UUID(params.login_id)
    except ValueError as exc:
        raise InvalidRequest(f"invalid login id: {params.login_id}") from exc
    ended = await ctx.logins.cancel(params.login_id)
    if ended is None:
        return Reply(p.CancelLoginAccountResponse(status=p.CancelLoginAccountStatus.NOT_FOUND))
    return Reply(p.CancelLoginAccountResponse(status=p.CancelLoginAccountStatus.CANCELED), [ended])
