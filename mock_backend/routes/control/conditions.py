"""``/_mock/settings``, ``/_mock/faults``, ``/_mock/clock``: the conditions the
tenant's clients meet (poll interval, injected failures, the time)."""

from __future__ import annotations

from aiohttp import web

from ...control_models import ClockAdvance, SettingsUpdate
from ...faults import Fault
from ...http_io import backend, json_response, tenant
from .discovery import resolve_route
from .inputs import model_body


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


async def get_clock(request: web.Request) -> web.StreamResponse:
    clock = backend(request).clock
    return json_response({"now": clock.now(), "offset": clock.offset})


async def advance_clock(request: web.Request) -> web.StreamResponse:
    """The clock is shared by all tenants: moving it is for tests that own the backend."""
    advance = model_body(request, ClockAdvance)
    clock = backend(request).clock
    clock.advance(advance.seconds)
    return json_response({"now": clock.now(), "offset": clock.offset})
