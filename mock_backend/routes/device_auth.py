"""``/api/accounts/deviceauth/*``: issue a user code, answer polls.

Status codes are the contract the codex client reads: on the poll, 403 (or 404)
means "still pending", a 2xx carries the authorization code and the PKCE pair,
anything else ends the login with "device auth failed with status ...". On
usercode, 404 means "device code login is not enabled".
"""

from __future__ import annotations

from aiohttp import web

from ..device_codes import PollAnswer
from ..device_login import ScriptedFailure
from ..http_io import backend, entry, json_response, object_body, tenant
from . import Route


async def usercode(request: web.Request) -> web.StreamResponse:
    data = object_body(request)
    state = backend(request)
    try:
        code = state.device.issue(tenant(request), data.get("client_id"))
    except ScriptedFailure as failure:
        return json_response(failure.body, status=failure.status)
    log = entry(request)
    if log is not None:
        log.user_code = code.user_code
    return json_response(
        {
            "device_auth_id": code.device_auth_id,
            "user_code": code.user_code,
            "interval": str(code.interval),
            "expires_in": tenant(request).settings.expires_in,
            "expires_at": int(code.expires_at),
        }
    )


_FAILURES: dict[PollAnswer, tuple[int, str, str]] = {
    PollAnswer.PENDING: (403, "authorization_pending", "The user has not approved the code yet"),
    PollAnswer.SLOW_DOWN: (400, "slow_down", "Polling too fast: add 5 seconds to the interval"),
    PollAnswer.DENIED: (400, "access_denied", "The user denied the request"),
    PollAnswer.EXPIRED: (400, "expired_token", "The device code has expired"),
    PollAnswer.SERVER_ERROR: (500, "server_error", "Scripted server error"),
    PollAnswer.ALREADY_EXCHANGED: (
        400,
        "invalid_grant",
        "The authorization code for this device code was already exchanged",
    ),
}


async def token(request: web.Request) -> web.StreamResponse:
    data = object_body(request)
    state = backend(request)
    log = entry(request)
    if log is not None and isinstance(data.get("user_code"), str):
        log.user_code = data["user_code"]
    code, answer, too_fast = state.device.poll(
        tenant(request), data.get("device_auth_id"), data.get("user_code")
    )
    if log is not None:
        log.note = answer.value
        if too_fast:
            log.flags.append("too_fast")
    if answer is PollAnswer.APPROVED:
        return json_response(state.device.grant_body(code))
    status, error, description = _FAILURES[answer]
    if answer is PollAnswer.SERVER_ERROR and code.script.status:
        status = code.script.status
    return json_response({"error": error, "error_description": description}, status=status)


ROUTES = [
    Route(
        "usercode",
        "POST",
        "/api/accounts/deviceauth/usercode",
        usercode,
        "Request a device code (user code, device_auth_id, interval as a string).",
    ),
    Route(
        "device_token",
        "POST",
        "/api/accounts/deviceauth/token",
        token,
        "Poll a device code: 403 pending, 200 approved, 400 denied/expired/slow_down.",
    ),
]
