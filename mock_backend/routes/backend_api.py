"""``/backend-api/*``: the chatgpt.com calls a server makes once logged in.

``wham/accounts/check`` is the workspace routing discovery that 0.163.0 runs
right after the token exchange (the login fails without a usable answer);
``wham/usage`` feeds ``account/rateLimits/read``. Other backend paths answer 404,
which the binary tolerates (plugins, reset credits).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..grants import Account
from ..http_io import VIA, backend, entry, json_response, tenant
from . import Route, surface

DEFAULT_ORIGIN = "https://chatgpt.com"


def _unauthorized() -> web.Response:
    return json_response(
        {"detail": {"code": "token_invalid", "message": "Invalid or expired access token"}},
        status=401,
    )


def _account_of(request: web.Request) -> tuple[Account | None, dict[str, Any] | None]:
    """The account of a live token issued by this request's tenant; (None, None) else."""
    state = backend(request)
    name = tenant(request).name
    bearer = state.grants.inspect(request.headers.get("Authorization"))
    log = entry(request)
    if log is not None and bearer.account_id is not None:
        log.account_id = bearer.account_id
    if not bearer.live_at(name):
        return None, None
    return state.grants.account(name, bearer.account_id), bearer.claims


def _origin(request: web.Request) -> str:
    configured = tenant(request).settings.workspace_backend_origin
    if configured is not None:
        return configured
    via: str = request.get(VIA, "direct")
    if via.startswith("proxy:"):
        return DEFAULT_ORIGIN
    if request.scheme == "https":
        return f"https://{request.host}"
    return DEFAULT_ORIGIN


async def accounts_check(request: web.Request) -> web.StreamResponse:
    account, claims = _account_of(request)
    if claims is None or account is None:
        return _unauthorized()
    failure = account.workspace_failure
    if failure is not None:
        return json_response(
            {"detail": "scripted workspace check failure"}, status=failure.status or 500
        )
    state = backend(request)
    listed = [account]
    wanted = request.headers.get("ChatGPT-Account-Id")
    if wanted and wanted != account.persona.account_id:
        other = state.grants.account(account.tenant, wanted)
        if other is not None:
            listed.append(other)
    origin = _origin(request)
    return json_response(
        {
            "accounts": [
                {
                    "id": a.persona.account_id,
                    "name": a.persona.name,
                    "plan_type": a.persona.plan_type,
                    "structure": "personal",
                    "workspace_backend_origin": origin,
                    "account_routing_override": "NO_CONSTRAINT",
                    "profile_picture_url": None,
                }
                for a in listed
            ],
            "account_ordering": [a.persona.account_id for a in listed],
            "default_account_id": account.persona.account_id,
        }
    )


def default_usage(plan_type: str, now: float) -> dict[str, Any]:
    return {
        "plan_type": plan_type,
        "rate_limit": {
            "allowed": True,
            "limit_reached": False,
            "primary_window": {
                "used_percent": 6,
                "limit_window_seconds": 18_000,
                "reset_after_seconds": 3_600,
                "reset_at": int(now) + 3_600,
            },
            "secondary_window": {
                "used_percent": 21,
                "limit_window_seconds": 604_800,
                "reset_after_seconds": 259_200,
                "reset_at": int(now) + 259_200,
            },
        },
        "credits": {"has_credits": True, "unlimited": False, "balance": "5.39"},
    }


async def usage(request: web.Request) -> web.StreamResponse:
    account, claims = _account_of(request)
    if claims is None or account is None:
        return _unauthorized()
    configured = tenant(request).usage
    if configured is not None:
        return json_response(configured)
    return json_response(default_usage(account.persona.plan_type, backend(request).clock.now()))


async def config_bundle(request: web.Request) -> web.StreamResponse:
    """Workspace-managed policies, fetched for business and enterprise plans: none here."""
    _account, claims = _account_of(request)
    if claims is None:
        return _unauthorized()
    return json_response({})


async def other(request: web.Request) -> web.StreamResponse:
    return json_response({"detail": "Not Found"}, status=404)


ROUTES = surface(
    "detail",
    [
        Route(
            "accounts_check",
            "GET",
            "/backend-api/wham/accounts/check",
            accounts_check,
            "Workspace routing discovery, called right after login.",
        ),
        Route(
            "usage",
            "GET",
            "/backend-api/wham/usage",
            usage,
            "Rate limits and credits of the logged-in account.",
        ),
        Route(
            "config_bundle",
            "GET",
            "/backend-api/wham/config/bundle",
            config_bundle,
            "Workspace-managed policies (business/enterprise plans): an empty bundle.",
        ),
        Route(
            "backend_other",
            "*",
            "/backend-api/{tail:.*}",
            other,
            "Any other backend path: 404, which the binary tolerates.",
        ),
    ],
)
