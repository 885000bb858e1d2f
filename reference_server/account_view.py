"""How a stored login looks on the wire: the account, its plan, the update notification."""

from __future__ import annotations

from .auth_store import StoredAuth
from .protocol import account as p


def plan(raw: str | None) -> p.PlanType:
    """A plan this release does not know reads as ``unknown``, as upstream reads it."""
    try:
        return p.PlanType(raw or "unknown")
    except ValueError:
        return p.PlanType.UNKNOWN


def account(auth: StoredAuth | None) -> p.Account | None:
    if auth is None:
        return None
    if auth.mode == "apikey":
        return p.Account(p.ApiKeyAccount(type="apiKey"))
    return p.Account(
        p.ChatgptAccount(type="chatgpt", email=auth.email, plan_type=plan(auth.plan_type))
    )


def account_updated(auth: StoredAuth | None) -> p.AccountUpdatedNotification:
    """``account/updated``: the auth mode, and the plan of a ChatGPT login (none for a key)."""
    if auth is None:
        return p.AccountUpdatedNotification()
    try:
        mode = p.AuthMode(auth.mode)
    except ValueError:
        mode = p.AuthMode.CHATGPT
    if mode is p.AuthMode.APIKEY:
        return p.AccountUpdatedNotification(auth_mode=mode)
    return p.AccountUpdatedNotification(auth_mode=mode, plan_type=plan(auth.plan_type))
