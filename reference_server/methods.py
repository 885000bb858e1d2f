"""Every method of the protocol, once: its name, its types, its direction and, for what
a client asks, its handler.

The schema generator reads the four maps; the connection builds its handler table from
:data:`CLIENT_REQUESTS` and finds the method of a notification or a server request by
its model. Adding a method is one entry here (and its handler and models).
:func:`request` ties an entry's params and result models to its handler's signature,
so mypy checks every handler against the entry that lists it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from .context import Context, Reply
from .handlers import account_read, initialize, login, logout, models, rate_limits, thread, turn
from .params import parse
from .protocol import account as p
from .protocol import items
from .protocol import models as catalog
from .protocol import rate_limits as limits
from .protocol import thread as threads
from .protocol import turn as turns
from .protocol.base import WireModel
from .protocol.initialize import InitializeParams, InitializeResponse

P = TypeVar("P")
R = TypeVar("R", bound=WireModel)


@dataclass(frozen=True)
class Method:
    name: str
    params: Any  # a model, an annotated union, or None (no params)
    result: Any = None
    #: Where upstream's generator writes the types: "v1", "v2" or "" (top level).
    folder: str = "v2"


@dataclass(frozen=True, kw_only=True)
class ClientRequest(Method, Generic[P, R]):
    handler: Callable[[Context, P], Awaitable[Reply[R]]]

    async def call(self, ctx: Context, params: Any, present: bool) -> Reply[R]:
        """Parse the params with upstream's error texts, then run the handler."""
        parsed: Any = None if self.params is None else parse(self.params, params, present)
        return await self.handler(ctx, parsed)


@overload
def request(
    name: str,
    params: None,
    result: type[R],
    handler: Callable[[Context, None], Awaitable[Reply[R]]],
    folder: str = "v2",
) -> ClientRequest[None, R]: ...
@overload
def request(
    name: str,
    params: type[P],
    result: type[R],
    handler: Callable[[Context, P], Awaitable[Reply[R]]],
    folder: str = "v2",
) -> ClientRequest[P, R]: ...
def request(name: str, params: Any, result: Any, handler: Any, folder: str = "v2") -> Any:
    return ClientRequest(name, params, result, folder, handler=handler)


# No annotation here: a declared ``ClientRequest[Any, Any]`` would let mypy infer Any
# for every entry and stop checking handlers against their models.
CLIENT_REQUESTS = (
    request("initialize", InitializeParams, InitializeResponse, initialize.initialize, folder="v1"),
    request("account/read", p.GetAccountParams, p.GetAccountResponse, account_read.read),
    request(login.METHOD, login.PARAMS, login.RESPONSE, login.start),
    request(
        "account/login/cancel",
        p.CancelLoginAccountParams,
        p.CancelLoginAccountResponse,
        login.cancel,
    ),
    request("account/logout", None, p.LogoutAccountResponse, logout.logout),
    request("account/rateLimits/read", None, limits.GetAccountRateLimitsResponse, rate_limits.read),
    request("thread/start", threads.ThreadStartParams, threads.ThreadStartResponse, thread.start),
    request(
        "thread/resume", threads.ThreadResumeParams, threads.ThreadResumeResponse, thread.resume
    ),
    request("thread/read", threads.ThreadReadParams, threads.ThreadReadResponse, thread.read),
    request("turn/start", turns.TurnStartParams, turns.TurnStartResponse, turn.start),
    request(
        "turn/interrupt", turns.TurnInterruptParams, turns.TurnInterruptResponse, turn.interrupt
    ),
    request("model/list", catalog.ModelListParams, catalog.ModelListResponse, models.list_models),
)

SERVER_NOTIFICATIONS = (
    Method("account/login/completed", p.AccountLoginCompletedNotification),
    Method("account/updated", p.AccountUpdatedNotification),
    Method("account/rateLimits/updated", limits.AccountRateLimitsUpdatedNotification),
    Method("thread/started", threads.ThreadStartedNotification),
    Method("thread/status/changed", threads.ThreadStatusChangedNotification),
    Method("thread/tokenUsage/updated", turns.ThreadTokenUsageUpdatedNotification),
    Method("turn/started", turns.TurnStartedNotification),
    Method("turn/completed", turns.TurnCompletedNotification),
    Method("item/started", items.ItemStartedNotification),
    Method("item/completed", items.ItemCompletedNotification),
    Method("item/agentMessage/delta", items.AgentMessageDeltaNotification),
    Method("item/reasoning/summaryPartAdded", items.ReasoningSummaryPartAddedNotification),
    Method("item/reasoning/summaryTextDelta", items.ReasoningSummaryTextDeltaNotification),
    Method("item/commandExecution/outputDelta", items.CommandExecutionOutputDeltaNotification),
    Method("serverRequest/resolved", items.ServerRequestResolvedNotification),
    Method("error", turns.ErrorNotification),
)

SERVER_REQUESTS = (
    Method(
        "account/chatgptAuthTokens/refresh",
        p.ChatgptAuthTokensRefreshParams,
        p.ChatgptAuthTokensRefreshResponse,
        folder="",
    ),
    Method(
        "item/commandExecution/requestApproval",
        items.CommandExecutionRequestApprovalParams,
        items.CommandExecutionRequestApprovalResponse,
        folder="",
    ),
)

CLIENT_NOTIFICATIONS = (Method("initialized", None),)

#: Names of the union types, as upstream names them.
NAMED_UNIONS: dict[int, str] = {
    id(login.PARAMS): "LoginAccountParams",
    id(login.RESPONSE): "LoginAccountResponse",
}

HANDLERS: dict[str, ClientRequest[Any, Any]] = {m.name: m for m in CLIENT_REQUESTS}
_SENT_BY_MODEL: dict[type, str] = {
    m.params: m.name for m in (*SERVER_NOTIFICATIONS, *SERVER_REQUESTS)
}


def method_of(body: WireModel) -> str:
    """The method a notification or a server request with this params model goes out as."""
    return _SENT_BY_MODEL[type(body)]
