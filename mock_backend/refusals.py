"""Refusals made before a handler runs, worded in the error shape of their surface.

The middleware refuses a body beyond the parse limits, a body that does not arrive
in time, a foreign ``Host``, a cross-site write and an unknown tenant before any
route sees the request. A client reads errors the way its surface speaks them
(:data:`~mock_backend.routes.ErrorShape`), so a refusal is answered in that shape:
this is the one place that builds those answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .http_io import html_response, json_response
from .page import refusal_page
from .routes import ErrorShape

#: JSON-RPC's "Invalid Request": the MCP endpoint's word for any refusal.
_RPC_INVALID_REQUEST = -32600


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    #: The RFC 6749-style error code (``invalid_request``, ``foreign_host``, ...).
    error: str
    #: What a person reads: names the limit or the rule, and what to do instead.
    description: str
    #: Close the connection after answering (a body left half-read cannot be skipped).
    close: bool = False


def answer(refusal: Refusal, shape: ErrorShape) -> web.Response:
    if shape == "detail":
        response = json_response({"detail": refusal.description}, status=refusal.status)
    elif shape == "jsonrpc":
        error = {"code": _RPC_INVALID_REQUEST, "message": refusal.description}
        response = json_response(
            {"jsonrpc": "2.0", "id": None, "error": error}, status=refusal.status
        )
    elif shape == "page":
        response = html_response(refusal_page(refusal.description), refusal.status)
    else:
        response = json_response(
            {"error": refusal.error, "error_description": refusal.description},
            status=refusal.status,
        )
    if refusal.close:
        response.force_close()
    return response
