"""Bodies of the control API, as pydantic models: the OpenAPI document derives from them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .tenants import TENANT_NAME


class SettingsUpdate(BaseModel):
    """Body of ``PUT /_mock/settings``; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    interval: int | None = Field(
        default=None, ge=0, le=3600, description="Seconds between polls for new codes."
    )
    expires_in: int | None = Field(
        default=None, ge=1, le=86_400, description="Lifetime of new codes in seconds."
    )
    enforce_interval: bool | None = Field(
        default=None, description="Answer too-fast polls with slow_down (RFC 8628)."
    )
    workspace_backend_origin: str | None = Field(
        default=None,
        max_length=500,
        description="What the workspace check reports as the backend origin.",
    )


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(gt=0, le=10 * 365 * 86_400, description="How far to move forward.")


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None,
        pattern=TENANT_NAME.pattern,
        description="Tenant name; a random one when omitted.",
    )


class UsageBody(BaseModel):
    """Body of ``PUT /_mock/usage``: the raw ``wham/usage`` answer to serve."""

    model_config = ConfigDict(extra="allow")

    plan_type: Any = None
    rate_limit: Any = None
    credits: Any = None
