"""The base of every wire type: snake_case in Python, camelCase on the wire."""

from __future__ import annotations

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
