"""Request context shared by the routes: tenant, parsed body, journal entry.

The middleware in :mod:`mock_backend.app` fills these in once per request, so a
route reads ``body(request)`` instead of parsing (and erroring) on its own.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from . import json_limits
from .endpoints import Endpoints, ReadyInfo
from .journal import JournalEntry
from .oauth_errors import OAuthError, invalid_request
from .state import Backend
from .tenants import Tenant

BACKEND_KEY = web.AppKey("backend", Backend)


class ServerInfo:
    """Filled in once the sockets are bound: where this backend answers, per tenant."""

    def __init__(self) -> None:
        self.endpoints: Endpoints | None = None
        #: proxy-to-app connections: local port of the proxy's socket -> (tenant, host)
        self.proxy_links: dict[int, tuple[str, str]] = {}

    def ready(self, tenant: str) -> ReadyInfo:
        if self.endpoints is None:
            raise RuntimeError("the backend is not listening yet")
        return self.endpoints.ready(tenant)


SERVER_INFO_KEY = web.AppKey("server_info", ServerInfo)
TENANT = web.RequestKey("tenant", Tenant)
VIA = web.RequestKey("via", str)
ENTRY = web.RequestKey("entry", JournalEntry)
BODY = web.RequestKey("body", object)


def backend(request: web.Request) -> Backend:
    return request.app[BACKEND_KEY]


def tenant(request: web.Request) -> Tenant:
    return request[TENANT]


def entry(request: web.Request) -> JournalEntry | None:
    return request.get(ENTRY)


def parse_body(raw: bytes, content_type: str) -> Any:
    """JSON or form body as a Python value; :class:`OAuthError` for a malformed one,
    :class:`~mock_backend.json_limits.JsonLimitError` for one beyond the parse limits."""
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_request("request body is not UTF-8") from exc
    if content_type == "application/x-www-form-urlencoded" and text.lstrip().startswith("{"):
        content_type = "application/json"  # curl -d '{...}' sends JSON labelled as a form
    if content_type == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
        except ValueError as exc:
            raise invalid_request("malformed form body") from exc
    if content_type in ("application/json", "") or content_type.endswith("+json"):
        try:
            return json_limits.loads(text)
        except json.JSONDecodeError as exc:
            raise invalid_request(f"malformed JSON body: {exc.msg} at position {exc.pos}") from exc
    raise OAuthError(
        "invalid_request",
        f"unsupported content type {content_type!r}; send JSON or a form",
        status=415,
    )


def body(request: web.Request) -> Any:
    value = request.get(BODY)
    if isinstance(value, Exception):
        raise value
    return value


def object_body(request: web.Request, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object / form; a clear 400 for anything else."""
    value = body(request)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise invalid_request("request body must be a JSON object or a form")
    return value


def string_fields(data: dict[str, Any], *names: str) -> dict[str, str]:
    """Selected fields that must be strings when present (RFC 6749 parameters)."""
    out: dict[str, str] = {}
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise invalid_request(f"{name} must be a string")
        out[name] = value
    return out


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers={"Cache-Control": "no-store"})


#: A page of the mock may not be framed by another page: framed, its buttons could be
#: clicked for a person who sees something else (clickjacking), and the Origin check
#: would see the page's own origin.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def html_response(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=PAGE_HEADERS)


def public_base(request: web.Request) -> str:
    """The issuer as this request's client sees it (proxied: the real host name)."""
    via: str = request.get(VIA, "direct")
    if via.startswith("proxy:"):
        return f"https://{via.removeprefix('proxy:')}"
    prefix = f"/t/{request.match_info['tenant']}" if "tenant" in request.match_info else ""
    return f"{request.scheme}://{request.host}{prefix}"
