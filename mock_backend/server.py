"""``MockBackend``: the backend as an async context manager.

It owns everything it starts (the HTTP listener, the TLS listener, the proxy,
the state folder with the test CA) and stops all of it on exit, on every path.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import tempfile
from pathlib import Path
from types import TracebackType

from aiohttp import web

from .app import build_app
from .certs import make_certificates
from .clock import Clock
from .config import INTERCEPTED_HOSTS, BackendConfig
from .endpoints import Endpoints, ReadyInfo
from .http_io import ServerInfo
from .proxy import ConnectProxy
from .scenario_file import BackendScenario
from .state import Backend
from .tenants import DEFAULT_TENANT


class NotLoopback(ValueError):
    """The mock backend binds to loopback addresses only."""


def check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError as exc:
        raise NotLoopback(f"--host must be a loopback address, not {host!r}") from exc
    if not address.is_loopback:
        raise NotLoopback(
            f"refusing to listen on {host}: the mock backend binds to loopback only "
            "(127.0.0.1, ::1, localhost)"
        )


def _bound_port(site: web.TCPSite) -> int:
    server = site._server
    assert server is not None
    sockets: list[socket.socket] = list(server.sockets)  # type: ignore[attr-defined]
    port: int = sockets[0].getsockname()[1]
    return port


class MockBackend:
    """A running mock of auth.openai.com and the chatgpt.com backend.

    >>> async with MockBackend() as backend:
    ...     print(backend.ready.env)
    """

    def __init__(
        self,
        config: BackendConfig | None = None,
        scenario: BackendScenario | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config or BackendConfig()
        check_loopback(self.config.host)
        self.state = Backend(self.config, clock)
        if scenario is not None:
            self.apply_scenario(scenario)
        self.info = ServerInfo()
        self._runner: web.AppRunner | None = None
        self._proxy: ConnectProxy | None = None
        self._owned_dir: Path | None = None

    def apply_scenario(self, scenario: BackendScenario, tenant: str = DEFAULT_TENANT) -> None:
        target, _ = self.state.create_tenant(tenant)
        scenario.apply(target.plan)
        if scenario.interval is not None:
            target.settings.interval = scenario.interval
        if scenario.expires_in is not None:
            target.settings.expires_in = scenario.expires_in
        if scenario.model is not None:
            scenario.model.apply(target.model)

    @property
    def endpoints(self) -> Endpoints:
        if self.info.endpoints is None:
            raise RuntimeError("MockBackend is not started")
        return self.info.endpoints

    @property
    def ready(self) -> ReadyInfo:
        return self.endpoints.ready(DEFAULT_TENANT)

    def tenant(self, name: str) -> ReadyInfo:
        """Create (if needed) a tenant and return where it answers."""
        self.state.create_tenant(name)
        return self.endpoints.ready(name)

    def delete_tenant(self, name: str) -> None:
        """Forget a tenant and everything it held."""
        self.state.delete_tenant(name)

    async def start(self) -> MockBackend:
        config = self.config
        if config.state_dir is not None:
            folder = config.state_dir
        else:
            folder = Path(tempfile.mkdtemp(prefix="mock-backend-"))
            self._owned_dir = folder
        try:
            certs = make_certificates(folder, config.extra_hosts) if config.proxy else None
            app = build_app(self.state, self.info)
            # Bodies are decoded by the mock (content_coding), not by aiohttp's parser.
            self._runner = web.AppRunner(
                app, access_log=None, handle_signals=False, auto_decompress=False
            )
            await self._runner.setup()
            site = web.TCPSite(self._runner, config.host, config.port, reuse_address=True)
            await site.start()
            port = _bound_port(site)
            tls_port = None
            if certs is not None:
                tls_site = web.TCPSite(
                    self._runner, config.host, 0, ssl_context=certs.server_context
                )
                await tls_site.start()
                tls_port = _bound_port(tls_site)
            proxy_port = None
            if certs is not None:
                self._proxy = ConnectProxy(
                    host=config.host,
                    allowed_hosts=frozenset(INTERCEPTED_HOSTS) | frozenset(config.extra_hosts),
                    tls=certs.server_context,
                    app_port=port,
                    links=self.info.proxy_links,
                    on_refused=self._record_refusal,
                    tenant_exists=self._tenant_ok,
                )
                proxy_port = await self._proxy.start(config.proxy_port)
            self.info.endpoints = Endpoints(
                host=config.host,
                port=port,
                proxy_port=proxy_port,
                ca_cert=certs.ca_pem if certs else None,
                tls_port=tls_port,
            )
            (folder / "ready.json").write_text(self.ready.model_dump_json(indent=2))
        except BaseException:
            await self.stop()
            raise
        return self

    def _tenant_ok(self, name: str) -> bool:
        return self.state.find(name) is not None

    def _record_refusal(self, tenant: str, method: str, target: str, host: str, why: str) -> None:
        entry = self.state.tenant(tenant).journal.open(
            at=self.state.clock.now(),
            route="proxy_refused",
            method=method,
            path=target,
            host=host,
            via="proxy",
            note=why,
        )
        entry.status = 403
        entry.flags.append("refused")

    async def stop(self) -> None:
        if self._proxy is not None:
            await self._proxy.stop()
            self._proxy = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None

    async def __aenter__(self) -> MockBackend:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
