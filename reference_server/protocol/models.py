"""``model/list``: the models a thread can use, as the backend's catalog lists them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from .base import ServerModel, WireModel


class InputModality(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"


class ReasoningEffortOption(ServerModel):
    reasoning_effort: str
    description: str


class ModelUpgradeInfo(ServerModel):
    model: str
    upgrade_copy: str | None = None
    model_link: str | None = None
    migration_markdown: str | None = None
    retirement_at: int | None = None


class ModelAvailabilityNux(ServerModel):
    message: str


class ModelServiceTier(ServerModel):
    id: str
    name: str
    description: str


class Model(ServerModel):
    id: str
    model: str
    upgrade: str | None = None
    upgrade_info: ModelUpgradeInfo | None = None
    availability_nux: ModelAvailabilityNux | None = None
    display_name: str
    description: str
    model_specialty: str | None = None
    hidden: bool
    supported_reasoning_efforts: list[ReasoningEffortOption]
    default_reasoning_effort: str
    input_modalities: list[InputModality] = Field(
        default_factory=lambda: [InputModality.TEXT, InputModality.IMAGE]
    )
    supports_personality: bool = False
    multi_agent_version: str | None = None
    additional_speed_tiers: list[str] = Field(default_factory=list)
    service_tiers: list[ModelServiceTier] = Field(default_factory=list)
    default_service_tier: str | None = None
    available_access_programs: dict[str, Any] | None = None
    is_default: bool


class ModelListParams(WireModel):
    cursor: str | None = Field(default=None, description="From a previous answer's nextCursor.")
    include_hidden: bool | None = Field(default=None, description="Also list hidden models.")
    limit: int | None = Field(default=None, ge=0, description="Page size.")


class ModelListResponse(ServerModel):
    data: list[Model]
    next_cursor: str | None = None
