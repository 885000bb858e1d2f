"""One tenant's model: its queue, catalog, settings, request log and ids."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalog import default_catalog
from .events import Ids
from .queue import ResponseQueue
from .request_log import ModelRequestLog


class ModelSettings(BaseModel):
    """Body of ``PUT {control}/model/settings``; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    websocket: Literal["accept", "426", "404"] | None = Field(
        default=None,
        description="How the websocket upgrade is answered: accept (the default), 426 "
        "(codex falls back to HTTP at once, for the whole session) or 404 (codex retries "
        "the upgrade for ~6.5 s, then falls back).",
    )
    auth: Literal["flag", "enforce"] | None = Field(
        default=None,
        description="flag (the default): a token the mock would not accept is recorded and "
        "flagged in the journal; enforce: it is also answered 401, as the real backend does, "
        "so codex refreshes its token.",
    )


class ModelState:
    __slots__ = ("_catalog", "auth", "default_calls", "ids", "queue", "requests", "websocket")

    def __init__(self, requests: ModelRequestLog) -> None:
        self.queue = ResponseQueue()
        self.requests = requests
        self.ids = Ids()
        self.default_calls = 0
        self.websocket: Literal["accept", "426", "404"] = "accept"
        self.auth: Literal["flag", "enforce"] = "flag"
        self._catalog: list[dict[str, Any]] | None = None

    @property
    def catalog(self) -> list[dict[str, Any]]:
        return self._catalog if self._catalog is not None else default_catalog()

    @property
    def catalog_is_default(self) -> bool:
        return self._catalog is None

    def set_catalog(self, models: list[dict[str, Any]] | None) -> None:
        self._catalog = models

    def update(self, settings: ModelSettings) -> None:
        if settings.websocket is not None:
            self.websocket = settings.websocket
        if settings.auth is not None:
            self.auth = settings.auth

    def settings(self) -> dict[str, Any]:
        return {"websocket": self.websocket, "auth": self.auth}

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()
        self.default_calls = 0
        self.websocket = "accept"
        self.auth = "flag"
        self._catalog = None
