"""Which workspace a ChatGPT login lands in: the config's allow-list, and the routing
discovery 0.163.0 runs right after every ChatGPT login (no answer, no login)."""

from __future__ import annotations

from pydantic import ValidationError

from ..auth_store import StoredAuth
from ..backend_client import BackendClient, BackendError, auth_headers, status_text
from ..errors import LoginFailed
from ..protocol.account import WorkspaceRouting
from ..settings import Settings

DISCOVERY_FAILED = "workspace routing discovery failed"


def ensure_workspace_allowed(settings: Settings, auth: StoredAuth) -> None:
    """``forced_chatgpt_workspace_id``: refuse a login that lands in another workspace."""
    allowed = settings.forced_workspaces
    if allowed and auth.account_id not in allowed:
        raise LoginFailed(f"Login is restricted to workspace id(s) {', '.join(allowed)}.")


async def check_workspace(
    backend: BackendClient, settings: Settings, auth: StoredAuth
) -> WorkspaceRouting:
    """``GET {chatgpt_base_url}wham/accounts/check`` must list the login's account."""
    headers = auth_headers(auth.access_token, auth.account_id)
    try:
        reply = await backend.request(
            "GET", f"{settings.chatgpt_base_url}wham/accounts/check", headers=headers
        )
    except BackendError as exc:
        raise LoginFailed(f"{DISCOVERY_FAILED}: {exc}") from exc
    if reply.status != 200 or not isinstance(reply.body, dict):
        raise LoginFailed(f"{DISCOVERY_FAILED}: status {status_text(reply.status)}")
    accounts = reply.body.get("accounts")
    entries = [a for a in accounts if isinstance(a, dict)] if isinstance(accounts, list) else []
    entry = next((a for a in entries if a.get("id") == auth.account_id), None)
    if entry is None:
        raise LoginFailed("selected workspace missing from routing discovery")
    origin = entry.get("workspace_backend_origin")
    if not isinstance(origin, str) or not origin.startswith("https://"):
        raise LoginFailed(f"{DISCOVERY_FAILED}: missing backend origin")
    try:
        return WorkspaceRouting.model_validate(
            {
                "chatgptAccountId": str(entry["id"]),
                "backendOrigin": origin.rstrip("/"),
                "accountRoutingOverride": str(
                    entry.get("account_routing_override") or "NO_CONSTRAINT"
                ),
            }
        )
    except ValidationError as exc:
        raise LoginFailed(f"{DISCOVERY_FAILED}: {exc.errors()[0]['msg']}") from exc
