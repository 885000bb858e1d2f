"""HTTP routes, one module per upstream surface, plus the control API and the page.

Each module ends in its ``ROUTES``; :mod:`mock_backend.app` serves their union, and
the OpenAPI document (:mod:`.openapi`) is derived from the same entries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: How a surface words its errors: RFC 6749 ``{"error", "error_description"}`` (the auth
#: routes and the control API), chatgpt.com's ``{"detail": ...}``, a JSON-RPC error (the
#: MCP endpoint) or an HTML page (the approval page).
ErrorShape = Literal["oauth", "detail", "jsonrpc", "page"]


@dataclass(frozen=True)
class Route:
    """A route with a stable id: faults, the journal and the docs name routes by it."""

    id: str
    method: str
    path: str
    handler: Handler
    summary: str
    #: Served per tenant under /t/{tenant} as well as at the root.
    tenanted: bool = True
    journaled: bool = True
    #: Query parameters the handler reads (for the OpenAPI document).
    query: tuple[str, ...] = ()
    #: The JSON body the handler validates, and whether it may be left out.
    body: type[BaseModel] | None = None
    body_required: bool = True
    #: The handler reads (and size-checks) the body itself: model requests are large.
    raw_body: bool = False
    #: The shape of the refusals the middleware answers for this route.
    errors: ErrorShape = "oauth"


def surface(errors: ErrorShape, routes: list[Route]) -> list[Route]:
    """The routes of one upstream surface, all refusing in its error shape."""
    return [replace(route, errors=errors) for route in routes]


#: The application's whole route table, for the handlers that list or describe it.
ROUTES_KEY = web.AppKey("routes", list[Route])
#: The entry that matched the request (set by the middleware).
ROUTE = web.RequestKey("route", Route)
