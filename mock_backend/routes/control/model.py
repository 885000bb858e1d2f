"""``/_mock/model/*``: script the model, read what it saw, set its catalog and settings.

Bodies are validated when they arrive (:class:`ScriptedResponse`, declared on the
route), so a malformed script is refused here with a 400 naming the field, never
when a turn takes it.
"""

from __future__ import annotations

from aiohttp import web

from ...http_io import json_response, tenant
from ...model.catalog import CatalogBody
from ...model.forms import ScriptedResponse
from ...model.model_state import ModelSettings
from .inputs import int_query, model_body


async def add_response(request: web.Request) -> web.StreamResponse:
    script = model_body(request, ScriptedResponse)
    position = tenant(request).model.queue.append(script)
    return json_response(
        {"position": position, "response": script.model_dump(mode="json", exclude_defaults=True)},
        status=201,
    )


async def list_responses(request: web.Request) -> web.StreamResponse:
    return json_response({"responses": tenant(request).model.queue.snapshot()})


async def clear_responses(request: web.Request) -> web.StreamResponse:
    dropped = tenant(request).model.queue.clear()
    return json_response({"responses": [], "dropped": dropped})


async def list_requests(request: web.Request) -> web.StreamResponse:
    log = tenant(request).model.requests
    records = log.query(
        since=int_query(request, "since", 0) or 0, limit=int_query(request, "limit", None)
    )
    return json_response({"requests": [r.to_json() for r in records], **log.usage()})


async def get_catalog(request: web.Request) -> web.StreamResponse:
    state = tenant(request).model
    return json_response({"models": state.catalog, "default": state.catalog_is_default})


async def put_catalog(request: web.Request) -> web.StreamResponse:
    state = tenant(request).model
    state.set_catalog(model_body(request, CatalogBody).models)
    return json_response({"models": state.catalog, "default": False})


async def reset_catalog(request: web.Request) -> web.StreamResponse:
    state = tenant(request).model
    state.set_catalog(None)
    return json_response({"models": state.catalog, "default": True})


async def get_settings(request: web.Request) -> web.StreamResponse:
    return json_response(tenant(request).model.settings())


async def put_settings(request: web.Request) -> web.StreamResponse:
    state = tenant(request).model
    state.update(model_body(request, ModelSettings))
    return json_response(state.settings())
