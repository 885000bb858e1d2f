"""``/_mock/script``: the tenant's plan, the scripts its next logins follow."""

from __future__ import annotations

from aiohttp import web

from ...http_io import json_response, tenant
from ...scripts import ScriptRequest
from .inputs import model_body


async def get_plan(request: web.Request) -> web.StreamResponse:
    return json_response(tenant(request).plan.snapshot())


async def replace_plan(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.replace(model_body(request, ScriptRequest))
    return json_response(tenant(request).plan.snapshot())


async def queue_script(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.append(model_body(request, ScriptRequest))
    return json_response(tenant(request).plan.snapshot())


async def clear_plan(request: web.Request) -> web.StreamResponse:
    tenant(request).plan.clear()
    return json_response(tenant(request).plan.snapshot())
