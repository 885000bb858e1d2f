"""A reference server connection in the test's own event loop, attached to a mock tenant
the way the override mode attaches a binary (issuer, ``chatgpt_base_url`` on the mock's
TLS listener, its CA).

Run in-process, a server's collaborators can be replaced (``monkeypatch``) to fail in ways
no backend can make them fail, and a test sees what the server makes of it: the catch-alls
that keep a turn or a login from hanging have no other way in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mock_backend.tenant_handle import MockTenant
from reference_server.connection import Connection
from reference_server.settings import CLIENT_ID, Settings

Message = dict[str, Any]
TIMEOUT = 20.0


def mock_settings(tenant: MockTenant, codex_home: Path) -> Settings:
    """What ``Settings.load`` makes of the override mode's environment and config."""
    ready = tenant.ready
    return Settings(
        codex_home=codex_home,
        issuer=ready.issuer,
        chatgpt_base_url=ready.chatgpt_base_url,
        client_id=CLIENT_ID,
        ca_certificate=Path(ready.ca_cert) if ready.ca_cert else None,
        refresh_url=f"{ready.issuer}/oauth/token",
        revoke_url=f"{ready.issuer}/oauth/revoke",
    )


class InProcessServer:
    """One connection; what it sends is kept, in order, in :attr:`messages`."""

    def __init__(self, settings: Settings) -> None:
        self.messages: list[Message] = []
        self._arrived = asyncio.Event()
        self._next_id = 0
        self.connection = Connection(settings, self._sent)

    def _sent(self, line: str) -> None:
        self.messages.append(json.loads(line))
        self._arrived.set()

    def send(self, message: Message) -> None:
        self.connection.receive(json.dumps(message).encode())

    async def call(self, method: str, params: Any = None) -> Message:
        """A request and its answer (result or error)."""
        self._next_id += 1
        request_id = f"kit-{self._next_id}"
        self.send({"id": request_id, "method": method, "params": params or {}})
        return await self.expect(
            lambda m: m.get("id") == request_id and "method" not in m, f"the answer to {method}"
        )

    async def initialize(self) -> None:
        answer = await self.call(
            "initialize", {"clientInfo": {"name": "kit-tests", "version": "1"}}
        )
        assert "result" in answer, answer
        self.send({"method": "initialized"})

    def notifications(self, method: str) -> list[Message]:
        return [m["params"] for m in self.messages if m.get("method") == method and "id" not in m]

    async def notification(self, method: str) -> Message:
        found = await self.expect(
            lambda m: m.get("method") == method and "id" not in m, f"the notification {method}"
        )
        params: Message = found["params"]
        return params

    async def expect(self, accept: Callable[[Message], bool], what: str) -> Message:
        """The first message sent so far, or still to come, that ``accept`` takes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while True:
            found = next((m for m in self.messages if accept(m)), None)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = "\n".join(json.dumps(m)[:300] for m in self.messages[-10:])
                raise AssertionError(
                    f"nothing after {TIMEOUT:g} s waiting for {what}; last:\n{last}"
                )
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue

    async def close(self) -> None:
        await self.connection.close()
