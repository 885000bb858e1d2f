"""Who is calling the model: is the bearer a live token this tenant issued?

The model endpoint does not refuse a bad token by itself (a script decides what
the model answers, ``{"status": 401}`` included); it records what it saw, and
the journal flags a request whose token the mock never issued, or issued and
then saw expire or revoked. Judged with the backend's public rules only:
the signature, the expiry on the backend clock, and ``verify_bearer`` (which
also knows revocations).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the backend's state holds each tenant's model state: no import cycle
    from ..state import Backend

BearerState = Literal["live", "missing", "not_issued", "expired", "revoked"]
AUTH_CLAIM = "https://api.openai.com/auth"


@dataclass(frozen=True, slots=True)
class AuthSeen:
    bearer: BearerState
    #: The token's account belongs to this tenant (None when there is no valid token).
    issued_by_tenant: bool | None
    account_id: str | None
    #: The ``chatgpt-account-id`` header as sent, and whether it names the token's account.
    header_account_id: str | None
    account_matches: bool | None
    #: The token's ``jti``: tells two tokens apart (a refresh mints a new one).
    token_id: str | None = None

    @property
    def flag(self) -> str | None:
        """The journal flag for a token the mock would not accept."""
        if self.bearer != "live":
            return f"token_{self.bearer}"
        if self.issued_by_tenant is False:
            return "token_other_tenant"
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_auth(
    state: Backend, tenant: str, authorization: str | None, header_account: str | None
) -> AuthSeen:
    token = _bearer(authorization)
    if token is None:
        return AuthSeen("missing", None, None, header_account, None)
    # One signature check for a live token (the common case); a second only to say why not.
    claims = state.grants.verify_bearer(f"Bearer {token}")
    bearer: BearerState = "live"
    if claims is None:
        claims = state.key.verify(token)
        if claims is None:
            return AuthSeen("not_issued", None, None, header_account, None)
        exp = claims.get("exp")
        expired = not isinstance(exp, int | float) or exp <= state.clock.now()
        bearer = "expired" if expired else "revoked"
    auth = claims.get(AUTH_CLAIM)
    account_id = auth.get("chatgpt_account_id") if isinstance(auth, dict) else None
    account_id = account_id if isinstance(account_id, str) else None
    account = state.grants.accounts.get(account_id) if account_id else None
    matches = None if header_account is None else header_account == account_id
    jti = claims.get("jti")
    return AuthSeen(
        bearer,
        account is not None and account.tenant == tenant,
        account_id,
        header_account,
        matches,
        jti if isinstance(jti, str) else None,
    )


def tenant_of_bearer(state: Backend, authorization: str | None) -> str | None:
    """The tenant whose account a validly signed token belongs to (for unprefixed paths)."""
    token = _bearer(authorization)
    claims = state.key.verify(token) if token else None
    auth = claims.get(AUTH_CLAIM) if claims else None
    account_id = auth.get("chatgpt_account_id") if isinstance(auth, dict) else None
    account = state.grants.accounts.get(account_id) if isinstance(account_id, str) else None
    return account.tenant if account is not None else None


def _bearer(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    token = authorization[7:].strip()
    return token or None
