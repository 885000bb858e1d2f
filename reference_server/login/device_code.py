"""The device-code login, as the real binary runs it (RFC 8628 with upstream's statuses).

usercode → poll every ``interval`` seconds (403/404: pending, 2xx: approved, else
failure) for at most 15 minutes on an injectable clock → token exchange with the
PKCE pair the poll returned → workspace check. Storing it is the login registry's job.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..backend_client import BackendClient, BackendError, status_text
from ..errors import InternalError, InvalidRequest, LoginFailed
from ..settings import Settings
from .logins import SignIn
from .token_exchange import exchange_code
from .workspace import check_workspace, ensure_workspace_allowed

NOT_ENABLED = (
    "device code login is not enabled for this Codex server. "
    "Use the browser login or verify the server URL."
)
REQUEST_FAILED = "failed to request device code"
MAX_WAIT = 15 * 60.0


@dataclass(frozen=True)
class DeviceCode:
    device_auth_id: str
    user_code: str
    interval: float
    verification_url: str


async def request_device_code(backend: BackendClient, settings: Settings) -> DeviceCode:
    """The code to show; a backend that says no fails the ``account/login/start`` request."""
    url = f"{settings.issuer}/api/accounts/deviceauth/usercode"
    try:
        reply = await backend.request("POST", url, json_body={"client_id": settings.client_id})
    except BackendError as exc:
        raise InternalError(f"{REQUEST_FAILED}: {exc}") from exc
    if reply.status == 404:
        raise InvalidRequest(NOT_ENABLED)
    if not 200 <= reply.status < 300:
        raise InternalError(
            f"{REQUEST_FAILED}: device code request failed with status {status_text(reply.status)}"
        )
    body = reply.body if isinstance(reply.body, dict) else {}
    user_code = body.get("user_code") or body.get("usercode")
    try:
        interval = float(str(body.get("interval", "0")).strip() or 0)
    except ValueError:
        interval = -1
    if not isinstance(body.get("device_auth_id"), str) or not isinstance(user_code, str):
        raise InternalError(f"{REQUEST_FAILED}: malformed usercode response")
    if interval < 0:
        raise InternalError(f"{REQUEST_FAILED}: invalid interval")
    return DeviceCode(
        device_auth_id=body["device_auth_id"],
        user_code=user_code,
        interval=interval,
        verification_url=f"{settings.issuer}/codex/device",
    )


async def complete_device_login(
    backend: BackendClient,
    settings: Settings,
    code: DeviceCode,
    clock: Callable[[], float] = time.monotonic,
) -> SignIn:
    """Wait for the person's approval, then trade it for tokens (:class:`LoginFailed`)."""
    api = f"{settings.issuer}/api/accounts/deviceauth/token"
    started = clock()
    while True:
        try:
            reply = await backend.request(
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
    auth = await exchange_code(backend, settings, form, "device code exchange failed")
    ensure_workspace_allowed(settings, auth)
    return SignIn(auth, await check_workspace(backend, settings, auth))
