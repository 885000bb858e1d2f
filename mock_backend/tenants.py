"""Tenants: isolated backends behind one listener, and what each one holds.

Every test gets a tenant of its own (a ``/t/{name}`` prefix, proxy credentials or
an ``X-Mock-Tenant`` header), so tests running in parallel never see each other's
codes, scripts, faults or journal. Tenants are made and deleted by the control API
(``POST``/``DELETE {control}/tenants``) or the library, never by a request naming
one; the tenant keeps what its control API lists, and what it keeps is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .config import BackendConfig
from .device_codes import DeviceCode
from .faults import FaultTable
from .grants import BrowserRequest
from .journal import Journal
from .model.model_state import ModelState
from .model.request_log import ModelRequestLog
from .oauth_errors import invalid_request
from .scripts import Plan

TENANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DEFAULT_TENANT = "default"


def check_tenant_name(name: str) -> None:
    if not TENANT_NAME.match(name):
        raise invalid_request("tenant names are 1-64 characters: letters, digits, '_', '.', '-'")


@dataclass(slots=True)
class TenantSettings:
    interval: int
    expires_in: int
    enforce_interval: bool
    #: What the workspace check reports; None: chatgpt.com, or this server's https origin.
    workspace_backend_origin: str | None = None

    @classmethod
    def of(cls, config: BackendConfig) -> TenantSettings:
        """A new tenant's settings: the backend's configuration."""
        return cls(config.interval, config.expires_in, config.enforce_interval)

    def to_json(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "expires_in": self.expires_in,
            "enforce_interval": self.enforce_interval,
            "workspace_backend_origin": self.workspace_backend_origin,
        }


@dataclass
class Tenant:
    name: str
    settings: TenantSettings
    journal: Journal
    model: ModelState
    plan: Plan = field(default_factory=Plan)
    faults: FaultTable = field(default_factory=FaultTable)
    codes: dict[str, DeviceCode] = field(default_factory=dict)
    browser_requests: dict[str, BrowserRequest] = field(default_factory=dict)
    usage: dict[str, Any] | None = None
    #: Forgotten to stay within max_codes / max_browser_requests, since the last reset.
    dropped_codes: int = 0
    dropped_browser_requests: int = 0

    @classmethod
    def new(cls, name: str, config: BackendConfig) -> Tenant:
        check_tenant_name(name)
        return cls(
            name,
            TenantSettings.of(config),
            Journal(config.journal_capacity, config.journal_bytes),
            model=ModelState(ModelRequestLog(config.model_log_capacity, config.model_log_bytes)),
        )

    def clear(self, config: BackendConfig) -> None:
        """Back to a new tenant's state (the backend-wide indexes are cleared by the caller)."""
        self.codes.clear()
        self.browser_requests.clear()
        self.dropped_codes = self.dropped_browser_requests = 0
        self.plan.clear()
        self.faults.clear()
        self.journal.clear()
        self.usage = None
        self.model.reset()
        self.settings = TenantSettings.of(config)
