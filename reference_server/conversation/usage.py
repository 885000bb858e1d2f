"""What a model response says about usage: the rate-limit headers of the HTTP answer
(``account/rateLimits/updated``) and the token counts of ``response.completed``
(``thread/tokenUsage/updated``), kept per thread as 0.163.0 keeps them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..protocol.rate_limits import RateLimitSnapshot, RateLimitWindow
from ..protocol.turn import ThreadTokenUsage, TokenUsageBreakdown

#: Of the catalog's context window, the share the binary reports as usable (95 %).
USABLE_CONTEXT_PERCENT = 95


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _window(headers: Mapping[str, str], which: str) -> RateLimitWindow | None:
    used = _number(headers, f"x-codex-{which}-used-percent")
    if used is None:
        return None
    minutes = _number(headers, f"x-codex-{which}-window-minutes")
    resets = _number(headers, f"x-codex-{which}-reset-at")
    return RateLimitWindow(
        used_percent=math.floor(used + 0.5),  # 12.5 -> 13, as Rust rounds
        window_duration_mins=int(minutes) if minutes is not None else None,
        resets_at=int(resets) if resets is not None else None,
    )


def rate_limits(headers: Mapping[str, str]) -> RateLimitSnapshot:
    """The snapshot of an HTTP answer (all ``null`` but the id when it has no headers)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    return RateLimitSnapshot(
        limit_id="codex",
        primary=_window(lowered, "primary"),
        secondary=_window(lowered, "secondary"),
    )


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def breakdown(usage: Mapping[str, Any]) -> TokenUsageBreakdown:
    """``response.completed.response.usage`` (Responses API names) as the protocol counts."""
    inputs = _int(usage.get("input_tokens"))
    outputs = _int(usage.get("output_tokens"))
    input_details = usage.get("input_tokens_details")
    output_details = usage.get("output_tokens_details")
    total = usage.get("total_tokens")
    return TokenUsageBreakdown(
        total_tokens=_int(total) if total is not None else inputs + outputs,
        input_tokens=inputs,
        cached_input_tokens=_int(input_details.get("cached_tokens"))
        if isinstance(input_details, dict)
        else 0,
        output_tokens=outputs,
        reasoning_output_tokens=_int(output_details.get("reasoning_tokens"))
        if isinstance(output_details, dict)
        else 0,
    )


def _add(a: TokenUsageBreakdown, b: TokenUsageBreakdown) -> TokenUsageBreakdown:
    return TokenUsageBreakdown(
        total_tokens=a.total_tokens + b.total_tokens,
        input_tokens=a.input_tokens + b.input_tokens,
        cached_input_tokens=a.cached_input_tokens + b.cached_input_tokens,
        cache_write_input_tokens=a.cache_write_input_tokens + b.cache_write_input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        reasoning_output_tokens=a.reasoning_output_tokens + b.reasoning_output_tokens,
    )


def _empty(total: int = 0) -> TokenUsageBreakdown:
    return TokenUsageBreakdown(
        total_tokens=total,
        input_tokens=0,
        cached_input_tokens=0,
        output_tokens=0,
        reasoning_output_tokens=0,
    )


@dataclass
class TokenCounter:
    """A thread's token usage: nothing until the first response that reports some."""

    context_window: int | None = None
    total: TokenUsageBreakdown | None = None
    last: TokenUsageBreakdown = field(default_factory=_empty)

    def add(self, usage: Mapping[str, Any]) -> None:
        self.last = breakdown(usage)
        self.total = self.last if self.total is None else _add(self.total, self.last)

    def fill_window(self) -> None:
        """The context window is full: 0.163.0 then reports the whole window as used."""
        window = self.usable_window or 0
        self.total = self.last = _empty(window)

    @property
    def usable_window(self) -> int | None:
        if self.context_window is None:
            return None
        return self.context_window * USABLE_CONTEXT_PERCENT // 100

    def snapshot(self) -> ThreadTokenUsage | None:
        if self.total is None:
            return None
        return ThreadTokenUsage(
            total=self.total, last=self.last, model_context_window=self.usable_window
        )
