"""The device-code login, as the real binary runs it (RFC 8628 with upstream's statuses).

usercode → poll every ``interval`` seconds (403/404: pending, 2xx: approved, else
failure) for at most 15 minutes on an injectable clock → token exchange with the
PKCE pair the poll returned → workspace routing check → auth.json.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..auth_store import AUTH_CLAIM, StoredAuth, jwt_claims
from ..backend_client import BackendClient, BackendError, status_text
from ..errors import InternalError, InvalidRequest
from ..settings import Settings

NOT_ENABLED = (
    "device code login is not enabled for this Codex server. "
    "Use the browser login or verify the server URL."
)
MAX_WAIT = 15 * 60.0


class LoginFailed(Exception):
    """Ends a login with ``success: false`` and this message."""


@dataclass(frozen=True)
class DeviceCode:
    device_auth_id: str
    user_code: str
    interval: float
    verification_url: str


async def request_device_code(client: BackendClient, settings: Settings) -> DeviceCode:
    url = f"{settings.issuer}/api/accounts/deviceauth/usercode"
    try:
        reply = await client.request("POST", url, json_body={"client_id": settings.client_id})
    except BackendError as exc:
        raise InternalError(f"failed to request device code: {exc}") from exc
    if reply.status == 404:
        raise InvalidRequest(NOT_ENABLED)
    if not 200 <= reply.status < 300:
        raise InternalError(
            "failed to request device code: device code request failed with status "
            f"{status_text(reply.status)}"
        )
    body = reply.body if isinstance(reply.body, dict) else {}
    user_code = body.get("user_code") or body.get("usercode")
    try:
        interval = float(str(body.get("interval", "0")).strip() or 0)
    except ValueError:
        interval = -1
    if not isinstance(body.get("device_auth_id"), str) or not isinstance(user_code, str):
        raise InternalError("failed to request device code: malformed usercode response")
    if interval < 0:
        raise InternalError("failed to request device code: invalid interval")
    return DeviceCode(
        device_auth_id=body["device_auth_id"],
        user_code=user_code,
        interval=interval,
        verification_url=f"{settings.issuer}/codex/device",
    )


async def complete_device_login(
    client: BackendClient,
    settings: Settings,
    code: DeviceCode,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[StoredAuth, dict[str, str]]:
    api = f"{settings.issuer}/api/accounts/deviceauth/token"
    started = clock()
    while True:
        try:
            reply = await client.request(
                "POST",
                api,
                json_body={"device_auth_id": code.device_auth_id, "user_code": code.user_code},
            )
        except BackendError as exc:
            raise LoginFailed(str(exc)) from exc
        if 200 <= reply.status < 300 and isinstance(reply.body, dict):
            grant = reply.body
            break
        if reply.status in (403, 404):
            waited = clock() - started
            if waited >= MAX_WAIT:
                raise LoginFailed("device auth timed out after 15 minutes")
            await asyncio.sleep(min(code.interval, MAX_WAIT - waited))
            continue
        raise LoginFailed(f"device auth failed with status {status_text(reply.status)}")
    form = {
        "grant_type": "authorization_code",
        "code": str(grant.get("authorization_code", "")),
        "redirect_uri": f"{settings.issuer}/deviceauth/callback",
        "client_id": settings.client_id,
        "code_verifier": str(grant.get("code_verifier", "")),
    }
    stored = await exchange_code(client, settings, form, "device code exchange failed")
    ensure_workspace_allowed(settings, stored)
    routing = await check_workspace(client, settings, stored)
    return stored, routing


async def exchange_code(
    client: BackendClient, settings: Settings, form: dict[str, str], failure: str
) -> StoredAuth:
    """Authorization code → tokens at ``{issuer}/oauth/token``; ``failure`` prefixes errors."""
    try:
        tokens = await client.request("POST", f"{settings.issuer}/oauth/token", form=form)
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


def ensure_workspace_allowed(settings: Settings, auth: StoredAuth) -> None:
    """``forced_chatgpt_workspace_id``: refuse a login that lands in another workspace."""
    allowed = settings.forced_workspaces
    if allowed and auth.account_id not in allowed:
        raise LoginFailed(f"Login is restricted to workspace id(s) {', '.join(allowed)}.")


async def check_workspace(
    client: BackendClient, settings: Settings, auth: StoredAuth
) -> dict[str, str]:
    """0.163.0 discovers workspace routing right after login; no answer, no login."""
    headers = {"Authorization": f"Bearer {auth.access_token}"}
    if auth.account_id:
        headers["ChatGPT-Account-Id"] = auth.account_id
    try:
        reply = await client.request(
            "GET", f"{settings.chatgpt_base_url}wham/accounts/check", headers=headers
        )
    except BackendError as exc:
        raise LoginFailed(f"workspace routing discovery failed: {exc}") from exc
    if reply.status != 200 or not isinstance(reply.body, dict):
        raise LoginFailed(f"workspace routing discovery failed: status {status_text(reply.status)}")
    accounts = reply.body.get("accounts")
    entries = [a for a in accounts if isinstance(a, dict)] if isinstance(accounts, list) else []
    entry = next((a for a in entries if a.get("id") == auth.account_id), None)
    if entry is None:
        raise LoginFailed("selected workspace missing from routing discovery")
    origin = entry.get("workspace_backend_origin")
    if not isinstance(origin, str) or not origin.startswith("https://"):
        raise LoginFailed("workspace routing discovery failed: missing backend origin")
    return {
        "chatgptAccountId": str(entry["id"]),
        "backendOrigin": origin.rstrip("/"),
        "accountRoutingOverride": str(entry.get("account_routing_override") or "NO_CONSTRAINT"),
    }
