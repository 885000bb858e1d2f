"""The model catalog: ``GET .../codex/models?client_version=...`` in the backend's format
(``{"models": [{"slug", "display_name", "priority", ...}]}``), or, when the backend will
not give one, a small built-in list. ``model/list`` shows it; ``thread/start`` takes its
first entry (lowest ``priority``) as the default model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..backend_client import BackendClient, BackendError, auth_headers
from ..credentials import Credentials
from ..protocol import models as p
from .model_client import ModelClient

log = logging.getLogger("reference_server")

BUILT_IN_CONTEXT_WINDOW = 272_000
_BUILT_IN_INSTRUCTIONS = (
    "You are a coding agent running in the user's workspace. Answer concisely; run shell "
    "commands with the exec_command tool when you need to look at or change files."
)


@dataclass(frozen=True)
class CatalogEntry:
    slug: str
    display_name: str
    description: str = ""
    priority: int = 0
    hidden: bool = False
    default_effort: str = "medium"
    efforts: tuple[tuple[str, str], ...] = (("low", ""), ("medium", ""), ("high", ""))
    context_window: int | None = None
    base_instructions: str = _BUILT_IN_INSTRUCTIONS
    input_modalities: tuple[str, ...] = ("text", "image")
    upgrade: dict[str, Any] | None = None
    availability_nux: str | None = None
    service_tiers: tuple[dict[str, Any], ...] = ()
    multi_agent_version: str | None = None

    def model(self, is_default: bool) -> p.Model:
        upgrade = self.upgrade or {}
        return p.Model(
            id=self.slug,
            model=self.slug,
            upgrade=upgrade.get("model") if isinstance(upgrade.get("model"), str) else None,
            upgrade_info=_upgrade_info(upgrade),
            availability_nux=p.ModelAvailabilityNux(message=self.availability_nux)
            if self.availability_nux
            else None,
            display_name=self.display_name,
            description=self.description,
            hidden=self.hidden,
            supported_reasoning_efforts=[
                p.ReasoningEffortOption(reasoning_effort=effort, description=text)
                for effort, text in self.efforts
            ],
            default_reasoning_effort=self.default_effort,
            input_modalities=[p.InputModality(m) for m in self.input_modalities],
            multi_agent_version=self.multi_agent_version,
            service_tiers=[
                p.ModelServiceTier(
                    id=str(t.get("id")),
                    name=str(t.get("name")),
                    description=str(t.get("description")),
                )
                for t in self.service_tiers
            ],
            is_default=is_default,
        )


def _upgrade_info(upgrade: dict[str, Any]) -> p.ModelUpgradeInfo | None:
    if not isinstance(upgrade.get("model"), str):
        return None
    return p.ModelUpgradeInfo(
        model=upgrade["model"],
        upgrade_copy=upgrade.get("upgrade_copy"),
        model_link=upgrade.get("model_link"),
        migration_markdown=upgrade.get("migration_markdown"),
    )


def _built_in(slug: str, name: str, description: str, priority: int) -> CatalogEntry:
    efforts = (
        ("low", "Quick answers, light reasoning"),
        ("medium", "Balanced speed and depth"),
        ("high", "Deeper reasoning for hard problems"),
    )
    return CatalogEntry(
        slug, name, description, priority, efforts=efforts, context_window=BUILT_IN_CONTEXT_WINDOW
    )


#: When the backend has no catalog for us (offline, signed out, not 200). The ids are the
#: ones 0.163.0 bundles; the texts are the reference server's own.
BUILT_IN = (
    _built_in("gpt-6.1-sol", "GPT-6.1-Sol", "Default model for coding and everyday work.", 1),
    _built_in("gpt-6-sol", "GPT-6-Sol", "The previous default model.", 2),
    _built_in("gpt-6-luna", "GPT-6-Luna", "A faster model for simpler tasks.", 3),
    _built_in("gpt-5.5", "GPT-5.5", "An older coding model.", 4),
)


def parse_entry(raw: dict[str, Any]) -> CatalogEntry | None:
    """One entry of the backend's catalog; ``None`` for an entry without a slug."""
    slug = raw.get("slug")
    if not isinstance(slug, str) or not slug:
        return None
    levels = raw.get("supported_reasoning_levels")
    efforts = tuple(
        (str(level.get("effort")), str(level.get("description") or ""))
        for level in (levels if isinstance(levels, list) else [])
        if isinstance(level, dict) and level.get("effort")
    )
    messages = raw.get("model_messages")
    instructions = raw.get("base_instructions") or (
        messages.get("instructions_template") if isinstance(messages, dict) else None
    )
    window = raw.get("context_window")
    priority = raw.get("priority")
    modalities = raw.get("input_modalities")
    nux = raw.get("availability_nux")
    tiers = raw.get("service_tiers")
    return CatalogEntry(
        slug=slug,
        display_name=str(raw.get("display_name") or slug),
        description=str(raw.get("description") or ""),
        priority=priority if isinstance(priority, int) else 0,
        hidden=raw.get("visibility") not in (None, "list"),
        default_effort=str(raw.get("default_reasoning_level") or "medium"),
        efforts=efforts or CatalogEntry.efforts,
        context_window=window if isinstance(window, int) else None,
        base_instructions=str(instructions) if instructions else _BUILT_IN_INSTRUCTIONS,
        input_modalities=tuple(m for m in modalities if m in ("text", "image", "audio"))
        if isinstance(modalities, list)
        else ("text", "image"),
        upgrade=raw.get("upgrade") if isinstance(raw.get("upgrade"), dict) else None,
        availability_nux=str(nux.get("message"))
        if isinstance(nux, dict) and nux.get("message")
        else None,
        service_tiers=tuple(t for t in tiers if isinstance(t, dict))
        if isinstance(tiers, list)
        else (),
        multi_agent_version=raw.get("multi_agent_version")
        if isinstance(raw.get("multi_agent_version"), str)
        else None,
    )


class Catalog:
    """The catalog for the login in use, fetched once per login."""

    def __init__(self, backend: BackendClient, credentials: Credentials, client: ModelClient):
        self._backend = backend
        self._credentials = credentials
        self._client = client
        self._cached: tuple[tuple[str | None, ...], list[CatalogEntry]] | None = None

    async def entries(self) -> list[CatalogEntry]:
        """Sorted by priority; the first one is the default."""
        auth = self._credentials.current()
        key = (None,) if auth is None else (auth.mode, auth.account_id, auth.api_key)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        entries = list(BUILT_IN)
        if auth is not None:
            fetched = await self._fetch(auth.access_token or auth.api_key, auth.account_id, auth)
            if fetched:
                entries = fetched
        entries.sort(key=lambda e: e.priority)
        self._cached = (key, entries)
        return entries

    async def _fetch(
        self, bearer: str | None, account: str | None, auth: Any
    ) -> list[CatalogEntry]:
        url = self._client.catalog_url(auth)
        headers = auth_headers(bearer, account)
        try:
            reply = await self._backend.request("GET", url, headers=headers)
        except BackendError as exc:
            log.warning("model catalog unavailable (%s); using the built-in list", exc)
            return []
        models = reply.body.get("models") if isinstance(reply.body, dict) else None
        if reply.status != 200 or not isinstance(models, list):
            log.warning("model catalog answered %d; using the built-in list", reply.status)
            return []
        found = [parse_entry(raw) for raw in models if isinstance(raw, dict)]
        return [entry for entry in found if entry is not None]

    async def find(self, slug: str) -> CatalogEntry:
        """The entry for ``slug``; a model the catalog does not list gets built-in defaults."""
        for entry in await self.entries():
            if entry.slug == slug:
                return entry
        return CatalogEntry(slug, slug, context_window=BUILT_IN_CONTEXT_WINDOW)
