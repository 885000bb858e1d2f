"""The scripted model of one tenant, as tests hold it (the ``mock_model`` fixture).

Forms are validated here with the same pydantic model the control API uses, so
a malformed script fails in the test that wrote it, with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .control_client import ControlClient
from .model.forms import ScriptedResponse


@dataclass(frozen=True)
class MockModel:
    control: ControlClient

    def respond(self, *forms: dict[str, Any] | ScriptedResponse) -> None:
        """Queue answers, first in first out (``{"text": ...}``, ``{"status": 429}`` ...)."""
        for form in forms:
            script = (
                form
                if isinstance(form, ScriptedResponse)
                else ScriptedResponse.model_validate(form)
            )
            self.control.queue_model_response(script.model_dump(mode="json", exclude_defaults=True))

    def requests(self, kind: str | None = "turn") -> list[dict[str, Any]]:
        """Model requests seen so far (by default the turns, prewarms left out)."""
        return [r for r in self.control.model_requests() if kind is None or r["kind"] == kind]

    def clear(self) -> None:
        self.control.clear_model_responses()

    def catalog(self, models: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        return self.control.set_model_catalog(models)

    def settings(self, **fields: Any) -> dict[str, Any]:
        return self.control.model_settings(**fields)
