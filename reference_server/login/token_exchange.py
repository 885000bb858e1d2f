"""Authorization code → tokens at ``{issuer}/oauth/token``: the last step of the device
and the browser logins alike (only the redirect URI and the error prefix differ)."""

from __future__ import annotations

from ..auth_store import AUTH_CLAIM, StoredAuth, jwt_claims
from ..backend_client import BackendClient, BackendError, status_text
from ..errors import LoginFailed
from ..settings import Settings


async def exchange_code(
    backend: BackendClient, settings: Settings, form: dict[str, str], failure: str
) -> StoredAuth:
    """The tokens for ``form``'s code; ``failure`` prefixes every error, as upstream's do."""
    try:
        tokens = await backend.request("POST", f"{settings.issuer}/oauth/token", form=form)
    except BackendError as exc:
        raise LoginFailed(f"{failure}: {exc}") from exc
    if tokens.status != 200 or not isinstance(tokens.body, dict):
        raise LoginFailed(f"{failure}: token endpoint returned status {status_text(tokens.status)}")
    id_token = str(tokens.body.get("id_token", ""))
    claims = jwt_claims(id_token).get(AUTH_CLAIM)
    account_id = claims.get("chatgpt_account_id") if isinstance(claims, dict) else None
    return StoredAuth(
        mode="chatgpt",
        id_token=id_token,
        access_token=str(tokens.body.get("access_token", "")),
        refresh_token=str(tokens.body.get("refresh_token", "")),
        account_id=account_id if isinstance(account_id, str) else None,
    )
