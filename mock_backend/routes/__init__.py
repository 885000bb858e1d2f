"""HTTP routes, one module per upstream surface, plus the control API and the page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    #: The handler reads (and size-checks) the body itself: model requests are large.
    raw_body: bool = False
