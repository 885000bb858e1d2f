"""Where a running backend can be reached, per tenant: the ``serve`` ready line.

Two ways to attach an unmodified binary: ``env`` (an HTTPS proxy with a test CA,
for every release) and ``config_toml`` plus ``override_env`` (the issuer
override that releases from 0.163.0 honour). The proxy learns the tenant from
the proxy credentials in ``HTTPS_PROXY``; the override mode from the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from .tenants import DEFAULT_TENANT

PROXY_PASSWORD = "mock"
LOOPBACK_NO_PROXY = "127.0.0.1,localhost,::1"
#: The hosts of this machine as a URL names them (``urlsplit(...).hostname`` drops the
#: brackets of ``[::1]``; a host written bare may keep them): where a browser login may
#: send a native client back to, and all the conformance kit may reach.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class ReadyInfo(BaseModel):
    """Everything a client needs to use one tenant of the backend."""

    issuer: str = Field(description="The auth issuer for the issuer-override mode.")
    chatgpt_base_url: str = Field(description="Backend base URL for the override mode.")
    control: str = Field(description="Base URL of the control API (ends in /_mock).")
    proxy: str | None = Field(description="The HTTPS CONNECT proxy, with tenant credentials.")
    ca_cert: str | None = Field(description="PEM file of the test CA the proxy's certificates use.")
    verification_page: str = Field(description="The approval page, for a person's own browser.")
    env: dict[str, str] = Field(
        description="Variables that attach an unmodified binary (any release) through the proxy."
    )
    config_toml: str = Field(description="$CODEX_HOME/config.toml lines for the override mode.")
    override_env: dict[str, str] = Field(
        description="Variables of the override mode (0.163.0 and later), used with config_toml."
    )
    tenant: str
    openapi: str


@dataclass(frozen=True)
class Endpoints:
    host: str
    port: int
    proxy_port: int | None
    ca_cert: Path | None
    tls_port: int | None = None

    @property
    def base(self) -> str:
        return f"http://{self._host_for_url()}:{self.port}"

    def _host_for_url(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    def issuer(self, tenant: str) -> str:
        return self.base if tenant == DEFAULT_TENANT else f"{self.base}/t/{tenant}"

    def proxy_url(self, tenant: str) -> str | None:
        if self.proxy_port is None:
            return None
        creds = "" if tenant == DEFAULT_TENANT else f"{tenant}:{PROXY_PASSWORD}@"
        return f"http://{creds}{self._host_for_url()}:{self.proxy_port}"

    def ready(self, tenant: str = DEFAULT_TENANT) -> ReadyInfo:
        issuer = self.issuer(tenant)
        prefix = "" if tenant == DEFAULT_TENANT else f"/t/{tenant}"
        if self.tls_port is not None:
            backend_base = f"https://{self._host_for_url()}:{self.tls_port}{prefix}/backend-api/"
        else:
            backend_base = f"{issuer}/backend-api/"
        env: dict[str, str] = {}
        proxy = self.proxy_url(tenant)
        if proxy is not None and self.ca_cert is not None:
            for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
                env[name] = proxy
                env[name.lower()] = proxy
            env["NO_PROXY"] = env["no_proxy"] = LOOPBACK_NO_PROXY
            env["CODEX_CA_CERTIFICATE"] = str(self.ca_cert)
        override_env = {
            "CODEX_APP_SERVER_LOGIN_ISSUER": issuer,
            "CODEX_REFRESH_TOKEN_URL_OVERRIDE": f"{issuer}/oauth/token",
            "CODEX_REVOKE_TOKEN_URL_OVERRIDE": f"{issuer}/oauth/revoke",
        }
        if self.ca_cert is not None and self.tls_port is not None:
            override_env["CODEX_CA_CERTIFICATE"] = str(self.ca_cert)
        return ReadyInfo(
            issuer=issuer,
            chatgpt_base_url=backend_base,
            control=f"{issuer}/_mock",
            proxy=proxy,
            ca_cert=str(self.ca_cert) if self.ca_cert else None,
            verification_page=f"{issuer}/codex/device",
            env=env,
            config_toml=f'chatgpt_base_url = "{backend_base}"\n',
            override_env=override_env,
            tenant=tenant,
            openapi=f"{issuer}/_mock/openapi.json",
        )


def attach_variables(mode: str | None = None) -> frozenset[str]:
    """The variables an attach mode sets (``proxy``: ``env``; ``override``:
    ``override_env``; None: both), by name.

    Whoever starts a binary under an environment of its own (the conformance kit) removes
    these from what it inherits: left in a shell by ``mock-backend env``, they would
    point the binary at another backend than the one meant.
    """
    ready = Endpoints("127.0.0.1", 1, 2, Path("ca.pem"), tls_port=3).ready("t")
    proxy, override = frozenset(ready.env), frozenset(ready.override_env)
    return {"proxy": proxy, "override": override}.get(mode or "", proxy | override)
