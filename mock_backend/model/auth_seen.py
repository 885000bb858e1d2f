"""What the model endpoint saw of a request's credentials: the record, without the rules.

Kept apart from :mod:`.auth_check` (which judges a bearer with the backend's rules) so the
request log can hold these records without depending on the backend's state.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..token_grants import BearerState


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
