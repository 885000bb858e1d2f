"""Which method carries which types, in which direction: the protocol's method maps.

Client requests flow client→server and are answered server→client; server
requests flow the other way; notifications go one way. The schema bundle and
the conformance kit both read these maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import account, initialize


@dataclass(frozen=True)
class Method:
    name: str
    params: Any  # a model, an annotated union, or None (no params)
    result: Any = None
    #: Where upstream's generator writes the types: "v1", "v2" or "" (top level).
    folder: str = "v2"


CLIENT_REQUESTS = (
    Method(
        "initialize",
        initialize.InitializeParams,
        initialize.InitializeResponse,
        folder="v1",
    ),
    Method("account/read", account.GetAccountParams, account.GetAccountResponse),
    Method("account/login/start", account.LoginAccountParams, account.LoginAccountResponse),
    Method(
        "account/login/cancel",
        account.CancelLoginAccountParams,
        account.CancelLoginAccountResponse,
    ),
    Method("account/logout", None, account.LogoutAccountResponse),
    Method("account/rateLimits/read", None, account.GetAccountRateLimitsResponse),
)

SERVER_NOTIFICATIONS = (
    Method("account/login/completed", account.AccountLoginCompletedNotification),
    Method("account/updated", account.AccountUpdatedNotification),
    Method("account/rateLimits/updated", account.AccountRateLimitsUpdatedNotification),
)

SERVER_REQUESTS = (
    Method(
        "account/chatgptAuthTokens/refresh",
        account.ChatgptAuthTokensRefreshParams,
        account.ChatgptAuthTokensRefreshResponse,
        folder="",
    ),
)

CLIENT_NOTIFICATIONS = (Method("initialized", None),)

#: Names of the union types, as upstream names them.
NAMED_UNIONS: dict[int, str] = {
    id(account.LoginAccountParams): "LoginAccountParams",
    id(account.LoginAccountResponse): "LoginAccountResponse",
}
