"""The aiohttp application: routes, and the one middleware that gives each request
its tenant, parsed body, journal entry and injected fault, and turns errors into
answers. Handlers raise :class:`OAuthError`; nothing else builds an error body,
and no exception reaches the client as a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from . import refusals
from .config import INTERCEPTED_HOSTS
from .faults import Fault, FaultKind
from .http_io import (
    BACKEND_KEY,
    BODY,
    ENTRY,
    SERVER_INFO_KEY,
    TENANT,
    VIA,
    ServerInfo,
    json_response,
)
from .journal import JournalEntry
from .model.auth_check import tenant_of_bearer
from .oauth_errors import OAuthError
from .request_body import read_body
from .request_guard import RequestGuard
from .routes import (
    ROUTE,
    ROUTES_KEY,
    Route,
    apps_mcp,
    backend_api,
    backend_extras,
    codex_api,
    control,
    device_auth,
    oauth,
    verification,
)
from .state import Backend, unknown_tenant
from .tenants import DEFAULT_TENANT

log = logging.getLogger("mock_backend")


class _QuietClientGone(logging.Filter):
    """A client that goes away mid-answer (it stopped reading a stream, or the mock cut
    the stream on purpose) is not an error of the mock: aiohttp would log a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionResetError)


logging.getLogger("aiohttp.server").addFilter(_QuietClientGone())

ALL_ROUTES: list[Route] = [
    *device_auth.ROUTES,
    *oauth.ROUTES,
    *verification.ROUTES,
    *codex_api.ROUTES,
    *apps_mcp.ROUTES,
    *backend_extras.ROUTES,
    *backend_api.ROUTES,
    *control.ROUTES,
]
_BY_ID = {route.id: route for route in ALL_ROUTES}


GUARD_KEY = web.AppKey("guard", RequestGuard)


def build_app(state: Backend, info: ServerInfo) -> web.Application:
    config = state.config
    app = web.Application(middlewares=[_context_middleware], client_max_size=config.max_body_bytes)
    app[GUARD_KEY] = RequestGuard((*INTERCEPTED_HOSTS, *config.extra_hosts, config.host))
    app[BACKEND_KEY] = state
    app[SERVER_INFO_KEY] = info
    app[ROUTES_KEY] = ALL_ROUTES
    for route in ALL_ROUTES:
        prefixes = ("", "/t/{tenant}") if route.tenanted else ("",)
        for prefix in prefixes:
            name = route.id if not prefix else f"{route.id}.tenant"
            app.router.add_route(route.method, prefix + route.path, route.handler, name=name)
    return app


def _route_of(request: web.Request) -> Route | None:
    name = request.match_info.route.name
    return _BY_ID.get(name.removesuffix(".tenant")) if name else None


def _tenant_name(request: web.Request, info: ServerInfo) -> tuple[str, str]:
    """(tenant, via): the path prefix wins, then the proxy link, then a header, then the
    tenant that issued a bearer token (the model endpoint moves to the workspace origin,
    which has no tenant prefix). The name found is looked up, never created."""
    via = "direct"
    link_tenant = None
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if peer and len(peer) >= 2:
        link = info.proxy_links.get(peer[1])
        if link is not None:
            link_tenant, host = link
            via = f"proxy:{host}"
    name = request.match_info.get("tenant")
    if name is None and request.path.startswith("/t/"):
        name = request.path.split("/", 3)[2] or None
    name = name or link_tenant or request.headers.get("X-Mock-Tenant")
    if name is None and "Authorization" in request.headers:
        name = tenant_of_bearer(request.app[BACKEND_KEY], request.headers["Authorization"])
    name = name or DEFAULT_TENANT
    return name, via


@web.middleware
async def _context_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await _serve(request, handler)
    except (asyncio.CancelledError, ConnectionResetError, web.HTTPException):
        raise
    except Exception:  # whatever went wrong, the client gets JSON, never a traceback
        return _internal_error(request)


async def _serve(request: web.Request, handler: Any) -> web.StreamResponse:
    state = request.app[BACKEND_KEY]
    info = request.app[SERVER_INFO_KEY]
    route = _route_of(request)
    shape = route.errors if route is not None else "oauth"
    started = time.perf_counter()
    refused = request.app[GUARD_KEY].refusal(request.method, request.headers)
    if refused is not None:
        return refusals.answer(refused, shape)
    name, via = _tenant_name(request, info)
    tenant = state.find(name)
    if tenant is None:
        control = f"{info.endpoints.base}/_mock" if info.endpoints else "{control}"
        unknown = unknown_tenant(name, control)
        refusal = refusals.Refusal(unknown.status, unknown.error, unknown.description)
        return refusals.answer(refusal, shape)
    request[TENANT] = tenant
    request[VIA] = via
    if route is not None:
        request[ROUTE] = route

    body = await read_body(request, route, state.config)
    request[BODY] = body.parsed
    entry: JournalEntry | None = None
    if route is None or route.journaled:
        entry = tenant.journal.open(
            body.kept_size(),
            at=state.clock.now(),
            route=route.id if route else "unknown",
            method=request.method,
            path=request.path_qs,
            host=request.host,
            via=via,
            body=body.for_journal(),
        )
        request[ENTRY] = entry
    if body.refusal is not None:
        if entry is not None:
            entry.flags.append("slow_body" if body.refusal.status == 408 else "body_limit")
            entry.note = body.refusal.description
        return _finish(entry, refusals.answer(body.refusal, shape), started)

    response: web.StreamResponse
    try:
        fault = tenant.faults.take(route.id) if route is not None and entry is not None else None
        if fault is not None and entry is not None:
            entry.flags.append(f"fault:{fault.kind.value}")
            injected = await _apply_fault(request, fault)
            if injected is not None:
                return _finish(entry, injected, started)
        response = await handler(request)
    except OAuthError as error:
        response = json_response(error.body(), status=error.status)
    except web.HTTPException as exc:
        if exc.status in (404, 405) and exc.content_type != "application/json":
            response = json_response(
                {
                    "error": "not_found" if exc.status == 404 else "method_not_allowed",
                    "error_description": f"{request.method} {request.path} is not served here",
                },
                status=exc.status,
            )
        else:
            if entry is not None:
                entry.status = exc.status
                entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
            raise
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        response = _internal_error(request)
    if body.unread and not response.prepared:
        response.force_close()
    return _finish(entry, response, started)


def _internal_error(request: web.Request) -> web.Response:
    log.exception("unhandled error in %s %s", request.method, request.path)
    return json_response(
        {"error": "server_error", "error_description": "internal error in the mock backend"},
        status=500,
    )


def _finish(
    entry: JournalEntry | None, response: web.StreamResponse, started: float
) -> web.StreamResponse:
    if entry is not None:
        entry.status = response.status
        entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    return response


async def _apply_fault(request: web.Request, fault: Fault) -> web.StreamResponse | None:
    if fault.latency_ms:
        await asyncio.sleep(fault.latency_ms / 1000)
    if fault.kind is FaultKind.LATENCY:
        return None
    if fault.kind is FaultKind.STATUS:
        assert fault.status is not None
        return json_response(
            {
                "error": "server_error" if fault.status >= 500 else "injected_fault",
                "error_description": "injected fault",
            },
            status=fault.status,
        )
    if fault.kind is FaultKind.MALFORMED_BODY:
        return web.Response(
            body=b'{"error": "injected", "truncated', content_type="application/json"
        )
    # drop_connection: close the socket without an answer.
    if request.transport is not None:
        request.transport.close()
    raise ConnectionResetError("injected fault: connection dropped")
