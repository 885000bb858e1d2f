"""Who is calling the model: is the bearer a live token this tenant issued?

The model endpoint does not refuse a bad token by itself (a script decides what
the model answers, ``{"status": 401}`` included); it records what it saw, and
the journal flags a request whose token the mock never issued, or issued and
then saw expire or revoked. Judged with the backend's public rules only:
the signature, the expiry on the backend clock, revocations, and the tenant
that issued the token (:meth:`TokenGrants.inspect`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .auth_seen import AuthSeen

if TYPE_CHECKING:  # the backend's state holds each tenant's model state: no import cycle
    from ..state import Backend


def check_auth(
    state: Backend, tenant: str, authorization: str | None, header_account: str | None
) -> AuthSeen:
    bearer = state.grants.inspect(authorization)
    if bearer.claims is None:
        return AuthSeen(bearer.state, None, None, header_account, None)
    account_id = bearer.account_id
    issued_here = bearer.tenant == tenant and state.grants.account(tenant, account_id) is not None
    jti = bearer.claims.get("jti")
    return AuthSeen(
        bearer.state,
        issued_here,
        account_id,
        header_account,
        None if header_account is None else header_account == account_id,
        jti if isinstance(jti, str) else None,
    )


def tenant_of_bearer(state: Backend, authorization: str | None) -> str | None:
    """The tenant that issued a validly signed token (for unprefixed paths)."""
    return state.grants.inspect(authorization).tenant
