"""What a failed model request means: whether it is retried, what the client is told while
it is, and how the turn fails when it is not. Texts and ``codexErrorInfo`` values are
0.163.0's, as observed on the wire against the mock backend.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from ..backend_client import status_text
from ..protocol.turn import CodexErrorInfo, TurnError

HIGH_DEMAND = "We\u2019re currently experiencing high demand, which may cause temporary errors."
CONTEXT_FULL = (
    "Codex ran out of room in the model's context window. Start a new thread or clear "
    "earlier history before retrying."
)
QUOTA = "Quota exceeded. Check your plan and billing details."
NEEDS_PLUS = (
    "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus."
)
USAGE_LIMIT = "You\u2019ve hit your usage limit."
#: What the usage-limit message suggests, by the ``plan_type`` of the 429's body.
_SUGGESTIONS = {
    "free": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or",
    "go": "Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or",
    "plus": "Upgrade to Pro (https://chatgpt.com/explore/pro), visit "
    "https://chatgpt.com/settings/usage to purchase more credits or",
    "pro": "Visit https://chatgpt.com/settings/usage to purchase more credits or",
    "prolite": "Visit https://chatgpt.com/settings/usage to purchase more credits or",
    "promax": "Visit https://chatgpt.com/settings/usage to purchase more credits or",
    "team": "To get more access now, send a request to your admin or",
    "business": "To get more access now, send a request to your admin or",
    "self_serve_business_prolite": "To get more access now, send a request to your admin or",
    "self_serve_business_usage_based": "To get more access now, send a request to your admin or",
}
DISCONNECTED = "stream disconnected before completion"
CLOSED_EARLY = f"{DISCONNECTED}: stream closed before response.completed"
TRANSPORT = f"{DISCONNECTED}: Transport error: network error: error decoding response body"
_TRY_AGAIN = re.compile(r"try again in\s*([0-9.]+)\s*(ms|s)", re.IGNORECASE)


@dataclass
class ModelFailure(Exception):
    """A model request that did not give a whole response."""

    #: The turn's error if this is the last word: message and ``codexErrorInfo``.
    message: str
    info: CodexErrorInfo
    #: Whether another attempt is made (``stream_max_retries`` allowing).
    retryable: bool = False
    #: While retrying: ``additionalDetails`` and ``codexErrorInfo`` of "Reconnecting...".
    details: str | None = None
    retry_info: CodexErrorInfo | None = None
    #: How long the backend asked to wait before the next attempt.
    delay: float | None = None
    #: The context window is full (the thread's token usage is set to the window).
    context_full: bool = False
    #: Rate-limit headers of a refusal that reports them (a usage limit reached).
    limits: dict[str, str] | None = None

    def __str__(self) -> str:
        return self.message

    def turn_error(self) -> TurnError:
        return TurnError(message=self.message, codex_error_info=self.info)


def _stream_failure(details: str, delay: float | None = None) -> ModelFailure:
    return ModelFailure(
        message=details,
        info=CodexErrorInfo("other"),
        retryable=True,
        details=details,
        retry_info=CodexErrorInfo.http("responseStreamDisconnected", None),
        delay=delay,
    )


def stream_cut(reason: str) -> ModelFailure:
    """The SSE stream ended or broke before ``response.completed``."""
    return _stream_failure(reason)


def _error_object(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def from_status(
    status: int, text: str, body: Any, url: str, headers: dict[str, str] | None = None
) -> ModelFailure:
    """A non-2xx answer to the POST (after the request-level retries and the 401 recovery)."""
    error = _error_object(body)
    if status == 400:
        return ModelFailure(message=text, info=CodexErrorInfo("other"))
    if status == 429:
        kind = error.get("type")
        if kind == "usage_limit_reached":
            return ModelFailure(
                message=usage_limit_message(error.get("resets_at"), error.get("plan_type")),
                info=CodexErrorInfo("usageLimitExceeded"),
                limits=headers or {},
            )
        if kind == "usage_not_included":
            return ModelFailure(message=NEEDS_PLUS, info=CodexErrorInfo("usageLimitExceeded"))
        return ModelFailure(
            message=f"exceeded retry limit, last status: {status_text(429)}",
            info=CodexErrorInfo.http("responseTooManyFailedAttempts", 429),
        )
    if status >= 500:
        return ModelFailure(
            message=HIGH_DEMAND,
            info=CodexErrorInfo("internalServerError"),
            retryable=True,
            details=HIGH_DEMAND,
            retry_info=CodexErrorInfo.http("responseStreamDisconnected", None),
        )
    detail = error.get("message") if isinstance(error.get("message"), str) else text
    words = f"unexpected status {status_text(status)}: {detail}, url: {url}"
    return ModelFailure(
        message=words,
        info=CodexErrorInfo.http("httpConnectionFailed", status),
        retryable=True,
        details=words,
        retry_info=CodexErrorInfo.http("responseStreamDisconnected", status),
    )


def unreachable(url: str) -> ModelFailure:
    """No HTTP answer at all (refused, reset, timed out) after the request-level retries."""
    return _stream_failure(f"error sending request for url ({url})")


def from_failed_event(response: Any) -> ModelFailure:
    """``response.failed``: its ``error.code`` decides."""
    error = _error_object(response)
    code = error.get("code")
    message = str(error.get("message") or "")
    if code == "context_length_exceeded":
        return ModelFailure(
            message=CONTEXT_FULL, info=CodexErrorInfo("contextWindowExceeded"), context_full=True
        )
    if code == "insufficient_quota":
        return ModelFailure(message=QUOTA, info=CodexErrorInfo("usageLimitExceeded"))
    if code == "usage_not_included":
        return ModelFailure(message=NEEDS_PLUS, info=CodexErrorInfo("usageLimitExceeded"))
    if code == "rate_limit_exceeded":
        return _stream_failure(f"rate limit exceeded: {message}", _delay(message))
    return _stream_failure(f"{DISCONNECTED}: {message or 'response.failed event received'}")


def _delay(message: str) -> float | None:
    """``... try again in 1.5s.`` (or ``in 20ms``): what the backend asked for."""
    match = _TRY_AGAIN.search(message)
    if match is None:
        return None
    value = float(match.group(1).rstrip("."))
    return value / 1000 if match.group(2).lower() == "ms" else value


def usage_limit_message(resets_at: Any, plan: Any = None, now: float | None = None) -> str:
    """Upstream's words for the plan, with the reset time in local time (and the day when
    it is not today)."""
    suggestion = _SUGGESTIONS.get(plan) if isinstance(plan, str) else None
    lead = f"{USAGE_LIMIT} {suggestion} try again" if suggestion else f"{USAGE_LIMIT} Try again"
    if not isinstance(resets_at, int | float) or isinstance(resets_at, bool):
        return f"{lead} later."
    when = time.localtime(resets_at)
    today = time.localtime(time.time() if now is None else now)
    hour = when.tm_hour % 12 or 12
    clock = f"{hour}:{when.tm_min:02d} {'AM' if when.tm_hour < 12 else 'PM'}"
    if (when.tm_year, when.tm_yday) == (today.tm_year, today.tm_yday):
        return f"{lead} at {clock}."
    day = when.tm_mday
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    month = time.strftime("%b", when)
    return f"{lead} at {month} {day}{suffix}, {when.tm_year} {clock}."
