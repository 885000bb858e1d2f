"""Where model requests go and how often they are retried: upstream's ``openai``
provider defaults, and the config keys that change them.

``-c model_providers.openai.request_max_retries=N`` (HTTP tries per attempt, minus one),
``-c model_providers.openai.stream_max_retries=N`` (attempts after the first, each
announced as ``Reconnecting... k/N``), ``-c openai_base_url=URL`` (send ``/responses``
and ``/models`` there instead of the workspace origin), and the reference server's own
``-c reference_server.exec_timeout_seconds=N`` (a command is killed after that long).
``config.toml`` takes the same keys as tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings import Settings

#: Upstream's defaults for the ``openai`` provider.
REQUEST_MAX_RETRIES = 4
STREAM_MAX_RETRIES = 5
#: Where an API-key login sends model requests when ``openai_base_url`` is not set.
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
#: A command the model runs is killed after this long (upstream has no equivalent:
#: its commands outlive a turn in the background, which this server does not do).
EXEC_TIMEOUT_SECONDS = 300.0
#: Upstream caps each kind of retry; a config value past these is taken as the cap.
MAX_RETRIES_CAP = 100
#: How long a stream may stay silent before it counts as disconnected.
STREAM_IDLE_SECONDS = 300.0


@dataclass(frozen=True)
class Provider:
    request_max_retries: int = REQUEST_MAX_RETRIES
    stream_max_retries: int = STREAM_MAX_RETRIES
    #: ``openai_base_url`` when configured (it wins over the workspace origin).
    base_url: str | None = None
    exec_timeout_seconds: float = EXEC_TIMEOUT_SECONDS
    stream_idle_seconds: float = STREAM_IDLE_SECONDS

    @classmethod
    def load(cls, settings: Settings) -> Provider:
        prefix = "model_providers.openai."
        base = settings.lookup("openai_base_url")
        return cls(
            request_max_retries=_count(settings.lookup(prefix + "request_max_retries"))
            if settings.lookup(prefix + "request_max_retries") is not None
            else REQUEST_MAX_RETRIES,
            stream_max_retries=_count(settings.lookup(prefix + "stream_max_retries"))
            if settings.lookup(prefix + "stream_max_retries") is not None
            else STREAM_MAX_RETRIES,
            base_url=str(base).rstrip("/") if base else None,
            exec_timeout_seconds=_seconds(
                settings.lookup("reference_server.exec_timeout_seconds"), EXEC_TIMEOUT_SECONDS
            ),
            stream_idle_seconds=_seconds(
                settings.lookup(prefix + "stream_idle_timeout_ms"), STREAM_IDLE_SECONDS * 1000
            )
            / 1000,
        )


def _count(value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return max(0, min(number, MAX_RETRIES_CAP))


def _seconds(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(str(value))
    except ValueError:
        return default
    return number if number > 0 else default
