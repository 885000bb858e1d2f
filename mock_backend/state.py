"""The backend's state: its tenants, and the rule books of the flows the routes consult.

Everything the HTTP routes do is decided below this module, without HTTP, so the
rules can be tested directly and the routes stay thin: :mod:`.device_login`,
:mod:`.browser_login` and :mod:`.token_grants`. This facade builds them around one
clock, signing key and persona factory, and owns what spans them: creating and
resetting a tenant.
"""

from __future__ import annotations

from .browser_login import BrowserLogins
from .clock import Clock
from .config import AUTH_HOST, BackendConfig
from .device_login import DeviceLogins
from .personas import PersonaFactory
from .tenants import DEFAULT_TENANT, Tenant
from .token_grants import TokenGrants
from .tokens import SigningKey, TokenMinter


class Backend:
    """All tenants of one mock backend, and the rules of the auth flows."""

    def __init__(self, config: BackendConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.key = SigningKey(config.signing_alg)
        self.minter = TokenMinter(self.key, f"https://{AUTH_HOST}", config.client_id)
        self.personas = PersonaFactory(config.seed, config.default_plan)
        self.tenants: dict[str, Tenant] = {}
        self.grants = TokenGrants(config, self.clock, self.key, self.minter, self.personas)
        self.device = DeviceLogins(config, self.clock, self.personas, self.grants)
        self.browser = BrowserLogins(config, self.clock, self.personas, self.grants, self.tenants)
        self.tenant(DEFAULT_TENANT)

    def tenant(self, name: str) -> Tenant:
        """The tenant of that name, created on first use."""
        found = self.tenants.get(name)
        if found is None:
            found = self.tenants[name] = Tenant.new(name, self.config)
        return found

    def reset(self, tenant: Tenant) -> None:
        """Forget everything of one tenant; other tenants are untouched."""
        self.device.forget(tenant)
        self.grants.forget(tenant.name)
        tenant.clear(self.config)

    def stats(self) -> dict[str, int]:
        return {
            "tenants": len(self.tenants),
            "device_codes": len(self.device),
            **self.grants.counts(),
        }
