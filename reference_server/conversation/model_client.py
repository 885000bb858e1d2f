"""The model endpoint: where a request goes, with which credentials, and the HTTP tries of
one attempt (5xx and unreachable retried, a 401 recovered by reloading the login and then
refreshing its tokens).

ChatGPT logins POST to ``{workspace origin}/backend-api/codex/responses``, the origin the
workspace check (``wham/accounts/check``) names, as 0.163.0 does; API-key logins to
``openai_base_url`` (``https://api.openai.com/v1`` by default), which also wins for a
ChatGPT login when configured. HTTP with SSE only: no websocket, no zstd bodies.
What a failed attempt means for the turn is :mod:`.model_errors`'s business.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..auth_store import StoredAuth
from ..backend_client import BackendClient, auth_headers, ssl_context
from ..credentials import Credentials
from ..errors import LoginFailed
from ..jsonrpc import Ask
from ..login.external import refresh_client_tokens
from ..login.workspace import check_workspace
from ..release import VERSION
from ..settings import Settings
from ..token_refresh import refresh_tokens
from .model_errors import TRANSPORT, ModelFailure, from_status, stream_cut, unreachable
from .provider import DEFAULT_OPENAI_BASE_URL, Provider

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("reference_server")

#: An SSE line longer than this is a broken stream, not an event.
MAX_LINE = 16 * 1024 * 1024
CONNECT_SECONDS = 30.0


def backoff(attempt: int) -> float:
    """Upstream's wait before retry ``attempt`` (1, 2, ...): 0.2 s doubling, ±10 %."""
    return float(0.2 * 2 ** (attempt - 1) * random.uniform(0.9, 1.1))


@dataclass(frozen=True)
class Target:
    url: str
    bearer: str
    account_id: str | None


@dataclass
class Opened:
    """A 200 answer whose SSE body is being read."""

    headers: dict[str, str]
    response: aiohttp.ClientResponse

    async def lines(self) -> AsyncIterator[bytes]:
        """The body's lines as they arrive; a break becomes a :class:`ModelFailure`."""
        import aiohttp

        # The unfinished line in pieces: each chunk is split once, a long line joined once.
        pending: list[bytes] = []
        size = 0
        try:
            async for chunk in self.response.content.iter_any():
                *lines, rest = chunk.split(b"\n")
                if lines:
                    lines[0] = b"".join([*pending, lines[0]])
                    pending, size = [], 0
                    for line in lines:
                        yield line + b"\n"
                if rest:
                    pending.append(rest)
                    size += len(rest)
                if size > MAX_LINE:
                    raise stream_cut(TRANSPORT)
        except TimeoutError as exc:
            raise stream_cut("stream disconnected before completion: idle timeout") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise stream_cut(TRANSPORT) from exc
        if size:
            yield b"".join(pending)


class ModelClient:
    def __init__(
        self,
        settings: Settings,
        provider: Provider,
        credentials: Credentials,
        backend: BackendClient,
        ask: Ask,
    ) -> None:
        self.settings = settings
        self.provider = provider
        self.credentials = credentials
        self.backend = backend
        self.ask = ask
        self._session: aiohttp.ClientSession | None = None

    # -- where, and who -------------------------------------------------------------------

    def catalog_url(self, auth: StoredAuth | None) -> str:
        if self.provider.base_url:
            base = self.provider.base_url
        elif auth is not None and auth.mode != "apikey":
            base = f"{self.settings.chatgpt_base_url}codex"
        else:
            base = DEFAULT_OPENAI_BASE_URL
        return f"{base}/models?client_version={VERSION}"

    async def target(self) -> Target:
        auth = self.credentials.current()
        if auth is None:
            raise ModelFailure(
                message="Not signed in: log in with account/login/start first.",
                info=_info("unauthorized"),
            )
        if auth.mode == "apikey":
            base = self.provider.base_url or DEFAULT_OPENAI_BASE_URL
            return Target(f"{base}/responses", auth.api_key or "", None)
        if self.provider.base_url:
            url = f"{self.provider.base_url}/responses"
        else:
            url = f"{await self._origin(auth)}/backend-api/codex/responses"
        return Target(url, auth.access_token or "", auth.account_id)

    async def _origin(self, auth: StoredAuth) -> str:
        """The workspace's backend origin, from the check 0.163.0 runs (cached per account)."""
        routing = self.credentials.routing(auth)
        if routing is None:
            try:
                routing = await check_workspace(self.backend, self.settings, auth)
            except LoginFailed as exc:
                log.warning("workspace check failed (%s); using chatgpt_base_url's origin", exc)
                parts = urlsplit(self.settings.chatgpt_base_url)
                return f"{parts.scheme}://{parts.netloc}"
            self.credentials.remember_routing(routing)
        return routing.backend_origin

    async def _recover(self, step: str) -> None:
        """After a 401: first look again at the stored login, then refresh its tokens."""
        auth = self.credentials.current()
        if step == "reload" or auth is None or auth.mode == "apikey":
            return
        if auth.mode == "chatgptAuthTokens":
            await refresh_client_tokens(self.credentials, self.ask)
            return
        try:
            fresh = await refresh_tokens(self.backend, self.settings, self.credentials, auth)
        except OSError as exc:
            log.warning("token refresh: cannot store the new tokens: %s", exc)
            return
        if fresh is not None:  # the binary checks the workspace again with the new token
            try:
                routing = await check_workspace(self.backend, self.settings, fresh)
            except LoginFailed as exc:
                log.warning("workspace check after refresh failed: %s", exc)
            else:
                self.credentials.remember_routing(routing)

    # -- one attempt ------------------------------------------------------------------------

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            import aiohttp

            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=ssl_context(self.settings)),
                trust_env=True,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=CONNECT_SECONDS, sock_read=self.provider.stream_idle_seconds
                ),
            )
        return self._session

    async def open(self, body: dict[str, Any], headers: dict[str, str]) -> Opened:
        """POST the request until a 200 comes, as one attempt's HTTP tries allow."""
        import aiohttp

        session = await self._client()
        data = json.dumps(body, separators=(",", ":")).encode()
        recovery = ["reload", "refresh"]
        tries = 0
        while True:
            target = await self.target()
            sent = {
                **headers,
                **auth_headers(target.bearer, target.account_id),
                "Content-Type": "application/json",
                "Accept": "text/event-stream",
            }
            try:
                response = await session.post(target.url, data=data, headers=sent)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                if tries >= self.provider.request_max_retries:
                    raise unreachable(target.url) from exc
                tries += 1
                await asyncio.sleep(backoff(tries))
                continue
            if response.status == 200:
                return Opened(dict(response.headers), response)
            text = await _text(response)
            if response.status == 401 and recovery:
                await self._recover(recovery.pop(0))
                continue
            if response.status >= 500 and tries < self.provider.request_max_retries:
                tries += 1
                await asyncio.sleep(backoff(tries))
                continue
            raise from_status(
                response.status, text, _json(text), target.url, dict(response.headers)
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _info(code: str) -> Any:
    from ..protocol.turn import CodexErrorInfo

    return CodexErrorInfo(code)


async def _text(response: aiohttp.ClientResponse) -> str:
    import aiohttp

    try:
        return await response.text(errors="replace")
    except (aiohttp.ClientError, TimeoutError, OSError):
        return ""
    finally:
        response.release()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
