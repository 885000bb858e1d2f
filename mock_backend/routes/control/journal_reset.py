"""``/_mock/journal`` and ``/_mock/reset``: what the tenant's clients did, and
forgetting all of it."""

from __future__ import annotations

from aiohttp import web

from ...http_io import backend, json_response, tenant
from .inputs import int_query


async def journal(request: web.Request) -> web.StreamResponse:
    log = tenant(request).journal
    entries = log.query(
        since=int_query(request, "since", 0) or 0,
        route=request.query.get("route"),
        user_code=request.query.get("user_code"),
        flag=request.query.get("flag"),
        limit=int_query(request, "limit", None),
    )
    return json_response({"entries": [e.to_json() for e in entries], **log.usage()})


async def reset(request: web.Request) -> web.StreamResponse:
    backend(request).reset(tenant(request))
    return json_response({"reset": tenant(request).name})
