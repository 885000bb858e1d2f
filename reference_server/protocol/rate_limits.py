"""``account/rateLimits/read`` and ``account/rateLimits/updated``: the backend's usage
windows as the protocol reports them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from .account import PlanType
from .base import WireModel


class RateLimitWindow(WireModel):
    used_percent: int
    window_duration_mins: int | None = None
    resets_at: int | None = None


class CreditsSnapshot(WireModel):
    has_credits: bool
    unlimited: bool
    balance: str | None = None


class RateLimitReachedType(StrEnum):
    RATE_LIMIT_REACHED = "rate_limit_reached"
    WORKSPACE_OWNER_CREDITS_DEPLETED = "workspace_owner_credits_depleted"
    WORKSPACE_MEMBER_CREDITS_DEPLETED = "workspace_member_credits_depleted"
    WORKSPACE_OWNER_USAGE_LIMIT_REACHED = "workspace_owner_usage_limit_reached"
    WORKSPACE_MEMBER_USAGE_LIMIT_REACHED = "workspace_member_usage_limit_reached"


class SpendControlLimitSnapshot(WireModel):
    limit: str
    used: str
    remaining_percent: int
    resets_at: int


class RateLimitSnapshot(WireModel):
    limit_id: str | None = None
    limit_name: str | None = None
    primary: RateLimitWindow | None = None
    secondary: RateLimitWindow | None = None
    credits: CreditsSnapshot | None = None
    individual_limit: SpendControlLimitSnapshot | None = None
    plan_type: PlanType | None = None
    rate_limit_reached_type: RateLimitReachedType | None = None
    spend_control_reached: bool | None = Field(
        default=None, description="Backend-reported spend-control state; null: unavailable."
    )
    normal_model_slug: str | None = None


class RateLimitResetType(StrEnum):
    CODEX_RATE_LIMITS = "codexRateLimits"
    UNKNOWN = "unknown"


class RateLimitResetCreditStatus(StrEnum):
    AVAILABLE = "available"
    REDEEMING = "redeeming"
    REDEEMED = "redeemed"
    UNKNOWN = "unknown"


class RateLimitResetCredit(WireModel):
    id: str
    reset_type: RateLimitResetType
    status: RateLimitResetCreditStatus
    granted_at: int
    expires_at: int | None = None
    title: str | None = None
    description: str | None = None


class RateLimitResetCreditsSummary(WireModel):
    available_count: int
    credits: list[RateLimitResetCredit] | None = None


class GetAccountRateLimitsResponse(WireModel):
    rate_limits: RateLimitSnapshot
    rate_limits_by_limit_id: dict[str, RateLimitSnapshot] | None = None
    account_id: str | None = None
    ordinary_usage_allowed: bool | None = None
    rate_limit_reset_credits: RateLimitResetCreditsSummary | None = None
    rate_limit_upsell: Any = Field(
        default=None,
        description="The backend's banner as it sent it (its keys stay snake_case).",
    )


class AccountRateLimitsUpdatedNotification(WireModel):
    rate_limits: RateLimitSnapshot
