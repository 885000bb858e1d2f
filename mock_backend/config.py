"""Settings of one mock backend, with two profiles: fast for tests, realistic for demos."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

#: The OAuth client id the codex binary sends (device code and browser login alike).
CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
#: The hosts a released binary talks to for login; the proxy terminates TLS for these.
AUTH_HOST = "auth.openai.com"
CHATGPT_HOST = "chatgpt.com"
INTERCEPTED_HOSTS = (AUTH_HOST, CHATGPT_HOST)

Profile = Literal["test", "realistic"]


@dataclass(frozen=True)
class BackendConfig:
    host: str = "127.0.0.1"
    port: int = 0
    proxy: bool = True
    proxy_port: int = 0
    #: Seconds between polls handed out with each code (a string on the wire).
    interval: int = 1
    #: Lifetime of a device code, as upstream's 15 minutes.
    expires_in: int = 900
    #: Answer polls that come sooner than the interval with slow_down (RFC 8628 §3.5).
    enforce_interval: bool = False
    client_id: str = CODEX_CLIENT_ID
    signing_alg: Literal["ES256", "RS256"] = "ES256"
    seed: int | None = None
    default_plan: str = "pro"
    #: Limits of what one tenant keeps (docs/security.md): journal entries and their
    #: bytes, model request records and their bytes. The oldest drop first, counted.
    journal_capacity: int = 5000
    journal_bytes: int = 8 * 1024 * 1024
    model_log_capacity: int = 200
    model_log_bytes: int = 16 * 1024 * 1024
    #: Tenants that may exist at once (the default one included); the control API makes
    #: and deletes them.
    max_tenants: int = 256
    #: Device codes and waiting browser logins one tenant keeps; beyond, the oldest are
    #: forgotten (and counted), so a client asking for codes in a loop is bounded too.
    max_codes: int = 100_000
    max_browser_requests: int = 1000
    max_body_bytes: int = 64 * 1024
    #: Seconds a request body may take to arrive, whole; then 408 (the answer is not limited).
    body_timeout: float = 10.0
    #: Where the test CA is written; a temporary folder owned by the backend when None.
    state_dir: Path | None = None
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def for_profile(cls, profile: Profile, **overrides: object) -> BackendConfig:
        base = cls() if profile == "test" else cls(interval=5, enforce_interval=True)
        return replace(base, **overrides)  # type: ignore[arg-type]
