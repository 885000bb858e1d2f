"""HTTP calls to the ChatGPT auth backend. aiohttp is imported on first use, never
before the server's first reply (it costs ~150 ms of start-up).

Every way a call can fail to get an answer (refused, reset, outlasting its timeout)
is one :class:`BackendError`, so callers handle one thing.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .settings import Settings

if TYPE_CHECKING:
    import aiohttp

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_text(status: int) -> str:
    """``400 Bad Request``: how the Rust client prints a status in its errors."""
    return f"{status} {_REASONS.get(status, '')}".rstrip()


def auth_headers(bearer: str | None, account_id: str | None) -> dict[str, str]:
    """Who a call to the backend or the model is made for: the bearer token and, for a
    ChatGPT login, the workspace account it acts in (``ChatGPT-Account-Id``)."""
    headers = {"Authorization": f"Bearer {bearer}"}
    if account_id:
        headers["ChatGPT-Account-Id"] = account_id
    return headers


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """The system's trust store, plus ``CODEX_CA_CERTIFICATE`` when it names a bundle."""
    context = ssl.create_default_context()
    if settings.ca_certificate is not None:
        context.load_verify_locations(cafile=str(settings.ca_certificate))
    return context


@dataclass(frozen=True)
class BackendReply:
    status: int
    body: Any
    text: str
    content_type: str = ""


class BackendError(Exception):
    """The backend could not be reached at all."""


#: How long one backend call may take, all of it (the real binary's client waits 30 s).
TIMEOUT_SECONDS = 30.0


class BackendClient:
    def __init__(self, settings: Settings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            import aiohttp

            connector = aiohttp.TCPConnector(ssl=ssl_context(self.settings))
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> BackendReply:
        import aiohttp

        session = await self._client()
        try:
            async with session.request(
                method, url, json=json_body, data=form, headers=headers
            ) as response:
                text = await response.text()
                content_type = response.headers.get("Content-Type", "")
        except aiohttp.ClientError as exc:
            raise BackendError(f"error sending request for url ({url})") from exc
        except TimeoutError as exc:
            raise BackendError(
                f"error sending request for url ({url}): no answer within {self.timeout:g} s"
            ) from exc
        try:
            body = json.loads(text) if text else None
        except (ValueError, RecursionError):
            body = None
        return BackendReply(response.status, body, text, content_type)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
