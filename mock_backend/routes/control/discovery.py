"""``/_mock``, ``/_mock/routes``, ``/_mock/openapi.json``: what this backend serves,
read from the route table itself."""

from __future__ import annotations

from aiohttp import web

from ...http_io import SERVER_INFO_KEY, json_response, tenant
from ...oauth_errors import invalid_request
from .. import ROUTES_KEY
from ..openapi import build_openapi


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


async def openapi(request: web.Request) -> web.StreamResponse:
    issuer = request.app[SERVER_INFO_KEY].ready(tenant(request).name).issuer
    return json_response(build_openapi(request.app[ROUTES_KEY], issuer))


def resolve_route(request: web.Request, name: str) -> str:
    """A route id from an id or a path, as a fault names its route."""
    routes = request.app[ROUTES_KEY]
    for route in routes:
        if name in (route.id, route.path):
            return route.id
    known = ", ".join(r.id for r in routes if r.journaled)
    raise invalid_request(f"unknown route {name!r}; known route ids: {known}")
