"""``/_mock/device-codes``: list a tenant's device codes, decide or re-script a live one."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...device_codes import CodeState, DeviceCode
from ...http_io import backend, json_response, tenant
from ...oauth_errors import OAuthError, invalid_request, not_found
from ...personas import PersonaFields
from ...scripts import Script
from .inputs import model_body


def _code(request: web.Request) -> DeviceCode:
    user_code = request.match_info["user_code"]
    code = backend(request).device.find(user_code, tenant(request))
    if code is None:
        raise not_found(f"no device code {user_code!r} in tenant {tenant(request).name!r}")
    return code


def _snapshot(request: web.Request, code: DeviceCode) -> dict[str, Any]:
    return code.snapshot(backend(request).clock.now())


def _conflict(code: DeviceCode) -> OAuthError:
    return OAuthError(
        "conflict", f"device code {code.user_code} is already {code.state.value}", status=409
    )


async def list_codes(request: web.Request) -> web.StreamResponse:
    wanted = request.query.get("state")
    codes = [
        _snapshot(request, c)
        for c in tenant(request).codes.values()
        if wanted is None or c.state.value == wanted
    ]
    return json_response({"device_codes": codes, "dropped": tenant(request).dropped_codes})


async def get_code(request: web.Request) -> web.StreamResponse:
    return json_response(_snapshot(request, _code(request)))


async def approve(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    fields = model_body(request, PersonaFields)
    if backend(request).device.approve(code, fields) is None:
        raise _conflict(code)
    return json_response(_snapshot(request, code))


async def deny(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    if not code.decide(CodeState.DENIED):
        raise _conflict(code)
    return json_response(_snapshot(request, code))


async def expire(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    if not code.decide(CodeState.EXPIRED):
        raise _conflict(code)
    return json_response(_snapshot(request, code))


async def rescript(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    if code.state is not CodeState.PENDING:
        raise _conflict(code)
    script = model_body(request, Script)
    if script.decided_at_usercode:
        raise invalid_request(f"{script.outcome.value} is decided at usercode, not on a live code")
    code.script = script
    return json_response(_snapshot(request, code))
