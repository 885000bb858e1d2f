"""The base of every wire type: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """Unknown fields are ignored, as upstream's serde types ignore them."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    def wire(self) -> dict[str, object]:
        """The JSON object sent on the wire (``None`` fields stay, as ``null``)."""
        return self.model_dump(mode="json", by_alias=True)


class ServerModel(WireModel):
    """A message (or a part of one) only the server sends. Every field is always on the
    wire (``None`` as ``null``), so its schema lists every field as required: a client
    may rely on them, as on upstream's required fields."""

    model_config = ConfigDict(json_schema_extra=lambda schema, _: _all_required(schema))


def _all_required(schema: dict[str, Any]) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["required"] = sorted(properties)
