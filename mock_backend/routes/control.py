"""``/_mock/*``: the control API tests and people use to drive the backend.

Every path exists at the root (the default tenant) and under ``/t/{tenant}``;
a tenant sees only its own codes, scripts, faults and journal.
"""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..control_models import ClockAdvance, SettingsUpdate, TenantCreate, UsageBody
from ..device_codes import CodeState, DeviceCode
from ..faults import Fault
from ..http_io import SERVER_INFO_KEY, backend, body, json_response, tenant
from ..oauth_errors import OAuthError, invalid_request, not_found
from ..personas import PersonaFields
from ..scripts import Script, ScriptRequest
from . import Route

M = TypeVar("M", bound=BaseModel)


def model_body(request: web.Request, model: type[M], required: bool = True) -> M:
    value = body(request)
    if value is None:
        if required:
            raise invalid_request(f"a JSON body ({model.__name__}) is required")
        value = {}
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise OAuthError(
            "invalid_request",
            "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details),
            extra={"details": details},
        ) from exc


def _code(request: web.Request) -> DeviceCode:
    user_code = request.match_info["user_code"]
    code = backend(request).device.find(user_code, tenant(request))
    if code is None:
        raise not_found(f"no device code {user_code!r} in tenant {tenant(request).name!r}")
    return code


def _snapshot(request: web.Request, code: DeviceCode) -> dict[str, Any]:
    return code.snapshot(backend(request).clock.now())


async def index(request: web.Request) -> web.StreamResponse:
    ready = request.app[SERVER_INFO_KEY].ready(tenant(request).name)
    return json_response(
        {
            **ready.model_dump(),
            "settings": tenant(request).settings.to_json(),
            "routes": [r.id for r in request.app[ROUTES_KEY]],
        }
    )


async def list_routes(request: web.Request) -> web.StreamResponse:
    return json_response(
        [
            {"id": r.id, "method": r.method, "path": r.path, "summary": r.summary}
            for r in request.app[ROUTES_KEY]
        ]
    )


async def list_codes(request: web.Request) -> web.StreamResponse:
    wanted = request.query.get("state")
    codes = [
        _snapshot(request, c)
        for c in tenant(request).codes.values()
        if wanted is None or c.state.value == wanted
    ]
    return json_response({"device_codes": codes})


async def get_code(request: web.Request) -> web.StreamResponse:
    return json_response(_snapshot(request, _code(request)))


def _conflict(code: DeviceCode) -> OAuthError:
    return OAuthError(
        "conflict", f"device code {code.user_code} is already {code.state.value}", status=409
    )


async def approve(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    fields = model_body(request, PersonaFields, required=False)
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


async def rescript_code(request: web.Request) -> web.StreamResponse:
    code = _code(request)
    if code.state is not CodeState.PENDING:
        raise _conflict(code)
    script = model_body(request, Script)
    if script.decided_at_usercode:
        raise invalid_request(f"{script.outcome.value} is decided at usercode, not on a live code")
    code.script = script
    return json_response(_snapshot(request, code))


async def get_script(request: web.Request) -> web.StreamResponse:
    return json_response(tenant(request).plan.snapshot())


async def put_script(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.replace(model_body(request, ScriptRequest))
    return json_response(tenant(request).plan.snapshot())


async def post_script(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.append(model_body(request, ScriptRequest))
    return json_response(tenant(request).plan.snapshot())


async def delete_script(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.clear()
    return json_response(tenant(request).plan.snapshot())


async def get_settings(request: web.Request) -> web.StreamResponse:
    return json_response(tenant(request).settings.to_json())


async def put_settings(request: web.Request) -> web.StreamResponse:
    update = model_body(request, SettingsUpdate)
    settings = tenant(request).settings
    for name, value in update.model_dump(exclude_unset=True).items():
        setattr(settings, name, value)
    return json_response(settings.to_json())


async def list_faults(request: web.Request) -> web.StreamResponse:
    return json_response({"faults": tenant(request).faults.snapshot()})


async def add_fault(request: web.Request) -> web.StreamResponse:
    fault = model_body(request, Fault)
    route_id = resolve_route(request, fault.route)
    active = tenant(request).faults.add(fault, route_id)
    return json_response(active.snapshot(), status=201)


async def clear_faults(request: web.Request) -> web.StreamResponse:
    tenant(request).faults.clear()
    return json_response({"faults": []})


def resolve_route(request: web.Request, name: str) -> str:
    routes = request.app[ROUTES_KEY]
    for route in routes:
        if name in (route.id, route.path):
            return route.id
    known = ", ".join(r.id for r in routes if r.journaled)
    raise invalid_request(f"unknown route {name!r}; known route ids: {known}")


def _int_query(request: web.Request, name: str, default: int | None) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid_request(f"{name} must be an integer") from exc
    if value < 0:
        raise invalid_request(f"{name} must not be negative")
    return value


async def journal(request: web.Request) -> web.StreamResponse:
    log = tenant(request).journal
    entries = log.query(
        since=_int_query(request, "since", 0) or 0,
        route=request.query.get("route"),
        user_code=request.query.get("user_code"),
        flag=request.query.get("flag"),
        limit=_int_query(request, "limit", None),
    )
    return json_response({"entries": [e.to_json() for e in entries], "dropped": log.dropped})


async def reset(request: web.Request) -> web.StreamResponse:
    backend(request).reset(tenant(request))
    return json_response({"reset": tenant(request).name})


async def get_clock(request: web.Request) -> web.StreamResponse:
    clock = backend(request).clock
    return json_response({"now": clock.now(), "offset": clock.offset})


async def advance_clock(request: web.Request) -> web.StreamResponse:
    """The clock is shared by all tenants: moving it is for tests that own the backend."""
    advance = model_body(request, ClockAdvance)
    clock = backend(request).clock
    clock.advance(advance.seconds)
    return json_response({"now": clock.now(), "offset": clock.offset})


async def mint_tokens(request: web.Request) -> web.StreamResponse:
    fields = model_body(request, PersonaFields, required=False)
    tokens, persona = backend(request).grants.mint_for(tenant(request).name, fields)
    return json_response(
        {
            "id_token": tokens.id_token,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_in": tokens.expires_in,
            "persona": persona.model_dump(),
        },
        status=201,
    )


async def list_accounts(request: web.Request) -> web.StreamResponse:
    name = tenant(request).name
    return json_response(
        {
            "accounts": [
                {**a.persona.model_dump(), "workspace_check_fails": a.workspace_failure is not None}
                for a in backend(request).grants.accounts.values()
                if a.tenant == name
            ]
        }
    )


async def put_usage(request: web.Request) -> web.StreamResponse:
    usage = model_body(request, UsageBody)
    tenant(request).usage = usage.model_dump(exclude_unset=True)
    return json_response(tenant(request).usage)


async def delete_usage(request: web.Request) -> web.StreamResponse:
    tenant(request).usage = None
    return json_response({})


async def create_tenant(request: web.Request) -> web.StreamResponse:
    spec = model_body(request, TenantCreate, required=False)
    name = spec.name or f"t{secrets.token_hex(6)}"
    state = backend(request)
    existed = name in state.tenants
    state.tenant(name)
    ready = request.app[SERVER_INFO_KEY].ready(name)
    return json_response(ready.model_dump(), status=200 if existed else 201)


async def list_tenants(request: web.Request) -> web.StreamResponse:
    return json_response({"tenants": sorted(backend(request).tenants), **backend(request).stats()})


async def openapi(request: web.Request) -> web.StreamResponse:
    from ..openapi import build_openapi

    issuer = request.app[SERVER_INFO_KEY].ready(tenant(request).name).issuer
    return json_response(build_openapi(request.app[ROUTES_KEY], issuer))


ROUTES_KEY = web.AppKey("routes", list[Route])

C = "/_mock"
ROUTES = [
    Route(
        "control_index", "GET", C, index, "This tenant's endpoints and settings.", journaled=False
    ),
    Route("control_routes", "GET", f"{C}/routes", list_routes, "Route ids.", journaled=False),
    Route(
        "control_codes", "GET", f"{C}/device-codes", list_codes, "Device codes.", journaled=False
    ),
    Route(
        "control_code",
        "GET",
        f"{C}/device-codes/{{user_code}}",
        get_code,
        "One code.",
        journaled=False,
    ),
    Route(
        "control_approve",
        "POST",
        f"{C}/device-codes/{{user_code}}/approve",
        approve,
        "Approve a code.",
        journaled=False,
    ),
    Route(
        "control_deny",
        "POST",
        f"{C}/device-codes/{{user_code}}/deny",
        deny,
        "Deny a code.",
        journaled=False,
    ),
    Route(
        "control_expire",
        "POST",
        f"{C}/device-codes/{{user_code}}/expire",
        expire,
        "Expire a code.",
        journaled=False,
    ),
    Route(
        "control_code_script",
        "PUT",
        f"{C}/device-codes/{{user_code}}/script",
        rescript_code,
        "Script a live code.",
        journaled=False,
    ),
    Route("control_script_get", "GET", f"{C}/script", get_script, "The plan.", journaled=False),
    Route(
        "control_script_put", "PUT", f"{C}/script", put_script, "Replace the plan.", journaled=False
    ),
    Route(
        "control_script_post",
        "POST",
        f"{C}/script",
        post_script,
        "Queue a script.",
        journaled=False,
    ),
    Route(
        "control_script_delete",
        "DELETE",
        f"{C}/script",
        delete_script,
        "Clear the plan.",
        journaled=False,
    ),
    Route(
        "control_settings_get", "GET", f"{C}/settings", get_settings, "Settings.", journaled=False
    ),
    Route(
        "control_settings_put",
        "PUT",
        f"{C}/settings",
        put_settings,
        "Change settings.",
        journaled=False,
    ),
    Route(
        "control_faults_get", "GET", f"{C}/faults", list_faults, "Active faults.", journaled=False
    ),
    Route(
        "control_faults_post", "POST", f"{C}/faults", add_fault, "Inject a fault.", journaled=False
    ),
    Route(
        "control_faults_delete",
        "DELETE",
        f"{C}/faults",
        clear_faults,
        "Clear faults.",
        journaled=False,
    ),
    Route("control_journal", "GET", f"{C}/journal", journal, "The journal.", journaled=False),
    Route("control_reset", "POST", f"{C}/reset", reset, "Reset this tenant.", journaled=False),
    Route("control_clock_get", "GET", f"{C}/clock", get_clock, "The clock.", journaled=False),
    Route(
        "control_clock_advance",
        "POST",
        f"{C}/clock/advance",
        advance_clock,
        "Advance the clock.",
        journaled=False,
    ),
    Route(
        "control_tokens",
        "POST",
        f"{C}/tokens",
        mint_tokens,
        "Mint tokens for a persona.",
        journaled=False,
    ),
    Route(
        "control_accounts",
        "GET",
        f"{C}/accounts",
        list_accounts,
        "Accounts logged in.",
        journaled=False,
    ),
    Route(
        "control_usage_put",
        "PUT",
        f"{C}/usage",
        put_usage,
        "Serve this usage body.",
        journaled=False,
    ),
    Route(
        "control_usage_delete",
        "DELETE",
        f"{C}/usage",
        delete_usage,
        "Default usage body.",
        journaled=False,
    ),
    Route(
        "control_tenants_post",
        "POST",
        f"{C}/tenants",
        create_tenant,
        "Create a tenant.",
        journaled=False,
    ),
    Route(
        "control_tenants_get",
        "GET",
        f"{C}/tenants",
        list_tenants,
        "List tenants.",
        journaled=False,
    ),
    Route(
        "control_openapi", "GET", f"{C}/openapi.json", openapi, "This document.", journaled=False
    ),
]
