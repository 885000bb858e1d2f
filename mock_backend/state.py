"""The backend's state: its tenants, and the rule books of the flows the routes consult.

Everything the HTTP routes do is decided below this module, without HTTP, so the
rules can be tested directly and the routes stay thin: :mod:`.device_login`,
:mod:`.browser_login` and :mod:`.token_grants`. This facade builds them around one
clock, signing key and persona factory, and owns what spans them: creating,
resetting and deleting a tenant. A request naming a tenant never creates it.
"""

from __future__ import annotations

from .browser_login import BrowserLogins
from .clock import Clock
from .config import AUTH_HOST, BackendConfig
from .device_login import DeviceLogins
from .oauth_errors import OAuthError
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
        self.create_tenant(DEFAULT_TENANT)

    def find(self, name: str) -> Tenant | None:
        return self.tenants.get(name)

    def tenant(self, name: str) -> Tenant:
        """The tenant of that name; a 404 naming it and how to create it otherwise."""
        found = self.tenants.get(name)
        if found is None:
            raise unknown_tenant(name)
        return found

    def create_tenant(self, name: str) -> tuple[Tenant, bool]:
        """The tenant of that name, created if needed (True when it was); at most
        ``max_tenants`` exist at once."""
        found = self.tenants.get(name)
        if found is not None:
            return found, False
        if len(self.tenants) >= self.config.max_tenants:
            raise OAuthError(
                "too_many_tenants",
                f"{len(self.tenants)} tenants exist, the limit of this backend "
                f"(max_tenants {self.config.max_tenants}): delete one with "
                "DELETE {control}/tenants/NAME before creating another",
                status=409,
            )
        created = self.tenants[name] = Tenant.new(name, self.config)
        return created, True

    def delete_tenant(self, name: str) -> None:
        """Forget a tenant and everything it held; the default tenant stays."""
        if name == DEFAULT_TENANT:
            raise OAuthError(
                "conflict", "the default tenant cannot be deleted (reset it instead)", 409
            )
        self.reset(self.tenant(name))
        del self.tenants[name]

    def reset(self, tenant: Tenant) -> None:
        """Forget everything of one tenant; other tenants are untouched."""
        self.device.forget(tenant)
        self.grants.forget(tenant.name)
        tenant.clear(self.config)

    def stats(self) -> dict[str, int]:
        dropped = sum(t.journal.dropped for t in self.tenants.values())
        model_dropped = sum(t.model.requests.dropped for t in self.tenants.values())
        return {
            "tenant_count": len(self.tenants),
            "max_tenants": self.config.max_tenants,
            "device_codes": len(self.device),
            **self.grants.counts(),
            "journal_dropped": dropped,
            "model_requests_dropped": model_dropped,
            "device_codes_dropped": sum(t.dropped_codes for t in self.tenants.values()),
            "browser_requests_dropped": sum(
                t.dropped_browser_requests for t in self.tenants.values()
            ),
        }


def unknown_tenant(name: str, control: str = "{control}") -> OAuthError:
    """The 404 for a tenant that does not exist: names it, and how to create it."""
    shown = name[:64]
    return OAuthError(
        "unknown_tenant",
        f"no tenant {shown!r} here: tenants are created by the control API, "
        f'POST {control}/tenants {{"name": "{shown}"}} '
        "(or MockBackend.tenant / BackendThread.tenant from Python)",
        status=404,
    )
