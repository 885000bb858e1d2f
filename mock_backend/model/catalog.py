"""The model catalog ``GET /backend-api/codex/models`` serves, in the binary's format.

codex 0.163.0 asks for ``/backend-api/codex/models?client_version=...`` at start-up
and after login; a 200 with ``{"models": [...]}`` replaces its bundled catalog
in ``model/list`` and ``thread/start`` takes the entry with the lowest
``priority`` as its default. The default here is a small set of mock models;
``PUT {control}/model/catalog`` replaces it per tenant with any entries.

The mock entries deliberately leave out ``use_responses_lite`` and ``tool_mode``,
so a request for them carries a top-level ``tools`` list with ``exec_command`` and
``apply_patch``, as for an ordinary model.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_MODEL = "mock-model"
_EFFORTS = {
    "low": "Fast, light reasoning",
    "medium": "Balanced reasoning",
    "high": "Deeper reasoning",
}
_INSTRUCTIONS = (
    "You are a mock model served by codex-app-server-kit's mock backend. "
    "Your answers are scripted through its control API."
)


def mock_entry(
    slug: str, display_name: str, description: str, priority: int, effort: str = "medium"
) -> dict[str, Any]:
    """One catalog entry with every field 0.163.0 requires, and mock values."""
    return {
        "slug": slug,
        "display_name": display_name,
        "description": description,
        "default_reasoning_level": effort,
        "supported_reasoning_levels": [
            {"effort": name, "description": text} for name, text in _EFFORTS.items()
        ],
        "shell_type": "shell_command",
        "visibility": "list",
        "minimal_client_version": "0.1.0",
        "supported_in_api": True,
        "priority": priority,
        "upgrade": None,
        "availability_nux": None,
        "base_instructions": _INSTRUCTIONS,
        "model_messages": {"instructions_template": _INSTRUCTIONS},
        "supports_reasoning_summaries": True,
        "default_reasoning_summary": "none",
        "support_verbosity": False,
        "default_verbosity": None,
        "apply_patch_tool_type": "freeform",
        "truncation_policy": {"mode": "tokens", "limit": 10000},
        "supports_parallel_tool_calls": False,
        "context_window": 128000,
        "max_context_window": 128000,
        "auto_compact_token_limit": None,
        "experimental_supported_tools": [],
        "input_modalities": ["text"],
        "prefer_websockets": True,
    }


def default_catalog() -> list[dict[str, Any]]:
    return [
        mock_entry(DEFAULT_MODEL, "Mock Model", "Scripted answers from the mock backend.", 1),
        mock_entry("mock-model-fast", "Mock Model Fast", "The same, with low effort.", 2, "low"),
        mock_entry("mock-reasoner", "Mock Reasoner", "The same, with high effort.", 3, "high"),
    ]


class CatalogBody(BaseModel):
    """Body of ``PUT {control}/model/catalog``: entries in the binary's format.

    Entries are passed to the binary as given (``mock_entry`` shows every field
    0.163.0 requires); only ``slug`` is checked here.
    """

    model_config = ConfigDict(extra="forbid")

    models: list[dict[str, Any]] = Field(max_length=200)

    @field_validator("models")
    @classmethod
    def _slugs(cls, models: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for index, entry in enumerate(models):
            slug = entry.get("slug")
            if not isinstance(slug, str) or not slug:
                raise ValueError(f"models[{index}].slug must be a non-empty string")
        return models
