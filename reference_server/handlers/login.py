"""``account/login/start`` (one entry per login kind) and ``account/login/cancel``.

The start request is answered as soon as the login is under way (a code to show, a URL
to open); the login itself runs in the background, owned by
:class:`~reference_server.login.logins.Logins`, and ends in ``account/login/completed``.
An API-key login is the exception: it is complete when answered.

The login kinds are one table, :data:`KINDS`: per kind its params and response models
(whose ``type`` literal names it), how it begins, and the rules upstream applies to it.
The ``LoginAccountParams`` and ``LoginAccountResponse`` unions, the dispatch, the
gates, how a replaced login ends and the refusal of an unknown ``type`` are read from it.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Annotated, Any, Generic, Literal, TypeVar, cast, get_args

from pydantic import Field

from ..auth_store import StoredAuth
from ..context import Context, Reply
from ..errors import InternalError, InvalidRequest, os_error_text
from ..login.browser import CANCELLED, SERVER_ERROR, BrowserLogin
from ..login.device_code import complete_device_login, request_device_code
from ..login.external import client_tokens, external_login, sync_workspace_config
from ..login.logins import NOT_COMPLETED, Kind, SignIn
from ..params import AlsoExpected
from ..protocol import account as p
from ..protocol.base import WireModel

P = TypeVar("P", bound=WireModel)
R = TypeVar("R", bound=WireModel)

#: Which ``forced_login_method`` allows a kind -> the refusal when the other one is forced.
_DISABLED = {
    "api": "API key login is disabled. Use ChatGPT login instead.",
    "chatgpt": "ChatGPT login is disabled. Use API key login instead.",
}


def wire_type(model: type[WireModel]) -> str:
    """The value of ``model``'s ``type`` literal: the login kind it is the params of."""
    (value,) = get_args(model.model_fields["type"].annotation)
    return str(value)


@dataclass(frozen=True, kw_only=True)
class LoginKind(Generic[P, R]):
    """One way to sign in. mypy checks ``begin`` against the two models it is listed with."""

    params: type[P]
    response: type[R]
    #: Starts the login (``kind`` is this entry, for :meth:`Logins.start`); the answer and
    #: what follows it (the logins it replaced are added by :func:`start`).
    begin: Callable[[Context, P, Kind], Awaitable[Reply[R]]]
    #: The ``forced_login_method`` (config) that allows it; the other one refuses it.
    method: Literal["api", "chatgpt"]
    #: Only for a client that declared ``capabilities.experimentalApi``.
    experimental: bool = False
    # How its life ends when a newer login replaces it: see :class:`Kind`.
    has_id: bool = True
    replaced: str = NOT_COMPLETED
    replaced_by_its_kind: str | None = None

    @property
    def name(self) -> str:
        return wire_type(self.params)


async def _api_key(
    ctx: Context, params: p.ApiKeyLoginParams, _: Kind
) -> Reply[p.ApiKeyLoginResponse]:
    auth = StoredAuth(mode="apikey", api_key=params.api_key)
    try:
        finished = ctx.logins.finish(None, SignIn(auth))
    except OSError as exc:
        raise InternalError(f"failed to save api key: {os_error_text(exc)}") from exc
    return Reply(p.ApiKeyLoginResponse(type="apiKey"), finished)


async def _browser(
    ctx: Context, _: p.ChatgptLoginParams, kind: Kind
) -> Reply[p.ChatgptLoginResponse]:
    browser = BrowserLogin(ctx.settings, ctx.backend, ctx.peer.name)
    await browser.start()
    login_id = ctx.logins.start(kind, browser.finished())
    return Reply(
        p.ChatgptLoginResponse(type="chatgpt", login_id=login_id, auth_url=browser.auth_url())
    )


async def _device_code(
    ctx: Context, _: p.ChatgptDeviceCodeLoginParams, kind: Kind
) -> Reply[p.ChatgptDeviceCodeLoginResponse]:
    code = await request_device_code(ctx.backend, ctx.settings)
    flow = complete_device_login(ctx.backend, ctx.settings, code)
    return Reply(
        p.ChatgptDeviceCodeLoginResponse(
            type="chatgptDeviceCode",
            login_id=ctx.logins.start(kind, flow),
            verification_url=code.verification_url,
            user_code=code.user_code,
        )
    )


async def _client_tokens(
    ctx: Context, params: p.ChatgptAuthTokensLoginParams, kind: Kind
) -> Reply[p.ChatgptAuthTokensLoginResponse]:
    async def after(_: SignIn) -> None:
        await sync_workspace_config(ctx.backend, ctx.settings, ctx.credentials, ctx.ask)

    flow = external_login(ctx.backend, ctx.settings, client_tokens(params))
    ctx.logins.start(kind, flow, after)
    return Reply(p.ChatgptAuthTokensLoginResponse(type="chatgptAuthTokens"))


# In the order of the schema's ``oneOf`` (upstream's). No annotation here: a declared
# ``LoginKind[Any, Any]`` would stop mypy checking each ``begin`` against its models.
KINDS = (
    LoginKind(
        params=p.ApiKeyLoginParams, response=p.ApiKeyLoginResponse, begin=_api_key, method="api"
    ),
    LoginKind(
        params=p.ChatgptLoginParams,
        response=p.ChatgptLoginResponse,
        begin=_browser,
        method="chatgpt",
        replaced=f"{SERVER_ERROR}: {NOT_COMPLETED}",
        replaced_by_its_kind=CANCELLED,  # the newer browser login takes the callback port
    ),
    LoginKind(
        params=p.ChatgptDeviceCodeLoginParams,
        response=p.ChatgptDeviceCodeLoginResponse,
        begin=_device_code,
        method="chatgpt",
    ),
    LoginKind(
        params=p.ChatgptAuthTokensLoginParams,
        response=p.ChatgptAuthTokensLoginResponse,
        begin=_client_tokens,
        method="chatgpt",
        experimental=True,
        has_id=False,
    ),
)
#: Login kinds 0.163.0 declares that this server does not implement: refused as unknown,
#: and named in that refusal after ours, as upstream lists them.
NOT_IMPLEMENTED = ("amazonBedrock", "amazonBedrockAccessKeys")

_BY_PARAMS: dict[type[WireModel], LoginKind[Any, Any]] = {kind.params: kind for kind in KINDS}


def _union(models: Iterable[type[WireModel]], *metadata: object) -> Any:
    """The discriminated union (on ``type``) of ``models``, in their order."""
    members = reduce(operator.or_, models)
    return Annotated[members, Field(discriminator="type"), *metadata]


#: The params of ``account/login/start`` (``LoginAccountParams``), parsed to one kind's model.
#: The method ``start`` answers; the registry (``methods.py``, which imports this module)
#: lists it by this name, and the refusals that name it use it too.
METHOD = "account/login/start"
PARAMS = cast("type[WireModel]", _union((k.params for k in KINDS), AlsoExpected(NOT_IMPLEMENTED)))
#: Its result (``LoginAccountResponse``).
RESPONSE = cast("type[WireModel]", _union(k.response for k in KINDS))


async def start(ctx: Context, params: WireModel) -> Reply[WireModel]:
    kind = _BY_PARAMS[type(params)]
    _check_allowed(ctx, kind)
    replaced = await ctx.logins.replace(kind)
    try:
        reply: Reply[WireModel] = await kind.begin(ctx, params, kind)
    except Exception:
        for notice in replaced:  # the logins this one replaced end even if it cannot start
            ctx.notify(notice)
        raise
    return Reply(reply.result, [*replaced, *reply.then], reply.after)


def _check_allowed(ctx: Context, kind: LoginKind[Any, Any]) -> None:
    if kind.experimental and not ctx.peer.experimental:
        raise InvalidRequest(f"{METHOD}.{kind.name} requires experimentalApi capability")
    forced = ctx.settings.forced_login_method
    if forced in _DISABLED and forced != kind.method:
        raise InvalidRequest(_DISABLED[kind.method])


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
