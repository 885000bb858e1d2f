"""``/backend-api/ps/mcp``: the ``codex_apps`` MCP server, as an empty one.

codex starts an MCP client for ``codex_apps`` against this path (streamable HTTP:
JSON-RPC over POST). With a 404 the client sees
``mcpServer/startupStatus/updated`` ``failed``; this answers ``initialize``,
accepts ``notifications/initialized`` and lists no tools, resources or
prompts, so the server starts and offers nothing.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..http_io import body, json_response
from . import Route

SERVER_INFO = {"name": "codex-apps-mock", "version": "0.1.0"}
DEFAULT_PROTOCOL = "2025-06-18"
_EMPTY_LISTS: dict[str, dict[str, Any]] = {
    "tools/list": {"tools": []},
    "resources/list": {"resources": []},
    "resources/templates/list": {"resourceTemplates": []},
    "prompts/list": {"prompts": []},
    "ping": {},
}


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def handle_message(message: Any) -> dict[str, Any] | None:
    """The JSON-RPC answer to one message; None for a notification or a response."""
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        if isinstance(message, dict) and ("result" in message or "error" in message):
            return None
        return _error(None, -32600, "expected a JSON-RPC request or notification")
    if "id" not in message:
        return None
    request_id, method = message["id"], message["method"]
    if method == "initialize":
        params = message.get("params")
        version = params.get("protocolVersion") if isinstance(params, dict) else None
        result: dict[str, Any] = {
            "protocolVersion": version if isinstance(version, str) else DEFAULT_PROTOCOL,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": SERVER_INFO,
        }
    elif method in _EMPTY_LISTS:
        result = _EMPTY_LISTS[method]
    else:
        return _error(request_id, -32601, f"method {method!r} is not served by the mock")
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


async def mcp_post(request: web.Request) -> web.StreamResponse:
    try:
        message = body(request)
    except Exception as exc:  # the middleware's parse error, as a JSON-RPC parse error
        return json_response(_error(None, -32700, str(exc)), status=400)
    if isinstance(message, list):
        answers = [a for a in (handle_message(m) for m in message) if a is not None]
        return json_response(answers) if answers else web.Response(status=202)
    answer = handle_message(message)
    if answer is None:
        return web.Response(status=202)
    return json_response(answer)


async def mcp_other(request: web.Request) -> web.StreamResponse:
    """No server-initiated stream (GET) and no sessions to end (DELETE)."""
    return json_response({"detail": "Method Not Allowed"}, status=405)


ROUTES = [
    Route(
        "apps_mcp",
        "POST",
        "/backend-api/ps/mcp",
        mcp_post,
        "The codex_apps MCP server (streamable HTTP): initialize, and no tools.",
        errors="jsonrpc",
    ),
    Route(
        "apps_mcp_other",
        "*",
        "/backend-api/ps/mcp",
        mcp_other,
        "GET / DELETE on the MCP endpoint: 405, as for a server without a stream.",
        errors="detail",
    ),
]
