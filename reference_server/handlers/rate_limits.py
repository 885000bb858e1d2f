"""``account/rateLimits/read``: the backend's usage windows (``wham/usage``, snake_case,
seconds), converted to the protocol's snapshot (camelCase, minutes)."""

from __future__ import annotations

from typing import Any

from ..account_view import plan
from ..backend_client import BackendError, auth_headers, status_text
from ..context import Context, Reply
from ..errors import InternalError, InvalidRequest
from ..protocol import rate_limits as p

FAILED = "failed to fetch codex rate limits"


async def read(ctx: Context, params: None) -> Reply[p.GetAccountRateLimitsResponse]:
    auth = ctx.credentials.current()
    if auth is None:
        raise InvalidRequest("codex account authentication required to read rate limits")
    if auth.mode == "apikey":
        raise InvalidRequest("chatgpt authentication required to read rate limits")
    url = f"{ctx.settings.chatgpt_base_url}wham/usage"
    headers = auth_headers(auth.access_token, auth.account_id)
    try:
        reply = await ctx.backend.request("GET", url, headers=headers)
    except BackendError as exc:
        raise InternalError(f"{FAILED}: {exc}") from exc
    if reply.status != 200 or not isinstance(reply.body, dict):
        raise InternalError(
            f"{FAILED}: GET {url} failed: {status_text(reply.status)}; "
            f"content-type={reply.content_type}; body={reply.text}"
        )
    snapshot = _snapshot(reply.body)
    response = p.GetAccountRateLimitsResponse(
        rate_limits=snapshot, rate_limits_by_limit_id={"codex": snapshot}
    )
    return Reply(response)


def _window(raw: Any) -> p.RateLimitWindow | None:
    if not isinstance(raw, dict):
        return None
    seconds = raw.get("limit_window_seconds")
    return p.RateLimitWindow(
        used_percent=int(raw.get("used_percent", 0)),
        window_duration_mins=int(seconds) // 60 if isinstance(seconds, int) else None,
        resets_at=raw.get("reset_at") if isinstance(raw.get("reset_at"), int) else None,
    )


def _snapshot(body: dict[str, Any]) -> p.RateLimitSnapshot:
    limits = body.get("rate_limit") if isinstance(body.get("rate_limit"), dict) else {}
    assert isinstance(limits, dict)
    credits = body.get("credits")
    return p.RateLimitSnapshot(
        limit_id="codex",
        primary=_window(limits.get("primary_window")),
        secondary=_window(limits.get("secondary_window")),
        credits=p.CreditsSnapshot(
            has_credits=bool(credits.get("has_credits")),
            unlimited=bool(credits.get("unlimited")),
            balance=credits.get("balance"),
        )
        if isinstance(credits, dict)
        else None,
        plan_type=plan(body.get("plan_type")) if body.get("plan_type") else None,
    )
