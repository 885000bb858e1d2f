"""Benign answers to what codex 0.163.0 calls besides the model, once signed in.

Plugins (featured, the curated export, installed, suggested), the user's
settings and analytics: with a 404 the binary carries on, but logs failures
and retries; these answer the way an account with nothing set up would
(empty lists, no settings), so a client sees no failure the mock caused.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..http_io import json_response
from . import Route, surface

_NO_PAGES: dict[str, Any] = {"next_page_token": None}


def _fixed(payload: Any, status: int = 200) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return json_response(payload, status=status)

    return handler


async def analytics(request: web.Request) -> web.StreamResponse:
    """Events are accepted and dropped (the journal keeps the body)."""
    return json_response({}, status=200)


ROUTES = surface(
    "detail",
    [
        Route(
            "plugins_featured",
            "GET",
            "/backend-api/plugins/featured",
            _fixed([]),
            "Featured plugins: none.",
        ),
        Route(
            "plugins_curated_export",
            "GET",
            "/backend-api/plugins/export/curated",
            _fixed({"detail": "Not Found"}, status=404),
            "The curated plugins archive: none (404, which ends the binary's sync quietly).",
        ),
        Route(
            "plugins_installed",
            "GET",
            "/backend-api/ps/plugins/installed",
            _fixed({"plugins": [], "pagination": _NO_PAGES}),
            "Installed plugins: none.",
        ),
        Route(
            "plugins_list",
            "GET",
            "/backend-api/ps/plugins/list",
            _fixed({"plugins": [], "pagination": _NO_PAGES}),
            "The plugin directory of a scope: empty.",
        ),
        Route(
            "plugins_suggested",
            "GET",
            "/backend-api/ps/plugins/suggested/{platform}",
            _fixed({"enabled": False, "plugins": []}),
            "Suggested plugins: suggestions off, none.",
        ),
        Route(
            "user_settings",
            "GET",
            "/backend-api/wham/settings/user",
            _fixed({}),
            "The user's settings: none set.",
        ),
        Route(
            "analytics_events",
            "POST",
            "/backend-api/codex/analytics-events/events",
            analytics,
            "Analytics events: accepted and dropped.",
        ),
    ],
)
