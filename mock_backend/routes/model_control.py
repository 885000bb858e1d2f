"""``/_mock/model/*``: script the model, read what it saw, set its catalog.

Bodies are validated when they arrive (:class:`ScriptedResponse`), so a
malformed script is refused here with a 400 naming the field, never when a
turn takes it.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from ..http_io import json_response, tenant
from ..model.catalog import CatalogBody
from ..model.forms import ScriptedResponse
from ..model.model_state import ModelSettings
from . import Route
from .control import _int_query, model_body


async def add_response(request: web.Request) -> web.StreamResponse:
    script = model_body(request, ScriptedResponse)
    queue = tenant(request).model.queue
    position = queue.append(script)
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
        since=_int_query(request, "since", 0) or 0, limit=_int_query(request, "limit", None)
    )
    return json_response({"requests": [r.to_json() for r in records], "dropped": log.dropped})


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


#: Request bodies of these routes, for the OpenAPI document.
BODY_MODELS: dict[str, type[BaseModel]] = {
    "control_model_responses_post": ScriptedResponse,
    "control_model_catalog_put": CatalogBody,
    "control_model_settings_put": ModelSettings,
}
QUERY: dict[str, list[str]] = {"control_model_requests": ["since", "limit"]}

M = "/_mock/model"
ROUTES = [
    Route(
        "control_model_responses_post",
        "POST",
        f"{M}/responses",
        add_response,
        "Queue a scripted model response (first in, first out).",
        journaled=False,
    ),
    Route(
        "control_model_responses_get",
        "GET",
        f"{M}/responses",
        list_responses,
        "The queued model responses.",
        journaled=False,
    ),
    Route(
        "control_model_responses_delete",
        "DELETE",
        f"{M}/responses",
        clear_responses,
        "Clear the queue of model responses.",
        journaled=False,
    ),
    Route(
        "control_model_requests",
        "GET",
        f"{M}/requests",
        list_requests,
        "Every model request, decoded: what the model saw.",
        journaled=False,
    ),
    Route(
        "control_model_catalog_get",
        "GET",
        f"{M}/catalog",
        get_catalog,
        "The model catalog served at /backend-api/codex/models.",
        journaled=False,
    ),
    Route(
        "control_model_catalog_put",
        "PUT",
        f"{M}/catalog",
        put_catalog,
        "Serve these catalog entries instead.",
        journaled=False,
    ),
    Route(
        "control_model_catalog_delete",
        "DELETE",
        f"{M}/catalog",
        reset_catalog,
        "Serve the mock models again.",
        journaled=False,
    ),
    Route(
        "control_model_settings_get",
        "GET",
        f"{M}/settings",
        get_settings,
        "How the model endpoint behaves (websocket upgrade).",
        journaled=False,
    ),
    Route(
        "control_model_settings_put",
        "PUT",
        f"{M}/settings",
        put_settings,
        "Change how the model endpoint behaves.",
        journaled=False,
    ),
]
