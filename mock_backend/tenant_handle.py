"""A tenant of a running backend, as tests and tools hold it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .control_client import ControlClient
from .endpoints import ReadyInfo


@dataclass(frozen=True)
class MockTenant:
    """One isolated tenant: its endpoints and a control client bound to it."""

    ready: ReadyInfo
    control: ControlClient

    @classmethod
    def of(cls, ready: ReadyInfo) -> MockTenant:
        return cls(ready, ControlClient(ready.control))

    @property
    def name(self) -> str:
        return self.ready.tenant

    def proxy_env(self) -> dict[str, str]:
        """Environment that attaches any codex release through the proxy."""
        return dict(self.ready.env)

    def override_env(self, codex_home: Path) -> dict[str, str]:
        """Issuer-override environment (0.163.0+); writes config.toml into ``codex_home``."""
        config = codex_home / "config.toml"
        existing = config.read_text() if config.exists() else ""
        if self.ready.config_toml not in existing:
            config.write_text(self.ready.config_toml + existing)
        return dict(self.ready.override_env)
