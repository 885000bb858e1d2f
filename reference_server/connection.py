"""One client connection: its handshake, the requests it has in flight, the server
requests it is waiting on, and its logins.

Every request runs in its own task, so a slow handler (a login waiting on the backend)
never blocks the others. Which handler serves a method comes from the registry
(:mod:`reference_server.methods`); what becomes of an exception, from
:mod:`reference_server.jsonrpc`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from .auth_store import AuthStore
from .backend_client import BackendClient
from .context import Context, Peer, Reply
from .conversation.threads import Threads
from .credentials import Credentials
from .errors import ClientAnsweredError, InvalidRequest
from .jsonrpc import Refused, Request, Response, answering, decode, encode, refusal
from .login.logins import Logins
from .login.routing_discovery import RoutingDiscovery
from .methods import HANDLERS, method_of
from .protocol.base import WireModel
from .protocol.initialize import InitializeParams
from .protocol.items import ServerRequestResolvedNotification
from .settings import Settings

log = logging.getLogger("reference_server")

#: At EOF, how long requests under way may take to be answered.
DRAIN_SECONDS = 10.0
KNOWN = ", ".join(f"`{name}`" for name in HANDLERS)


class Connection:
    def __init__(self, settings: Settings, send: Callable[[str], None]) -> None:
        """``send`` writes one line of JSON (no newline) to the client."""
        self._send = send
        self.peer = Peer()
        credentials = Credentials(AuthStore(settings.codex_home))
        self._backend = BackendClient(settings)
        self._logins = Logins(credentials, self.notify)
        self._threads = Threads(
            settings,
            credentials,
            self._backend,
            lambda: self.peer.name,
            self.peer.user_agent,
            self.notify,
            self.ask,
        )
        self.context = Context(
            settings,
            self.peer,
            credentials,
            self._backend,
            self._logins,
            self._threads,
            self.notify,
            self.ask,
        )
        self._discovery = RoutingDiscovery(settings, credentials, self._backend, self.notify)
        self._discovery.start()
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting: dict[int, tuple[WireModel, asyncio.Future[Any]]] = {}
        self._next_server_request = 0

    def adopt(self, params: InitializeParams) -> None:
        """The handshake was answered before this connection existed (stdio fast path)."""
        self.peer.adopt(params)
        self._discovery.handshake_answered()

    # -- outgoing -------------------------------------------------------------------

    def notify(self, body: WireModel) -> None:
        message = {"method": method_of(body), "params": body.wire()}
        self._send(encode({**message, "emittedAtMs": int(time.time() * 1000)}))

    async def ask(self, params: WireModel, wait_seconds: float | None) -> Any:
        """Send a server request; the client's ``result`` (no time limit with ``None``)."""
        request_id = self._next_server_request
        self._next_server_request += 1
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = (params, answer)
        self._send(encode({"method": method_of(params), "id": request_id, "params": params.wire()}))
        try:
            return await asyncio.wait_for(answer, wait_seconds)
        finally:
            self._waiting.pop(request_id, None)

    # -- incoming -------------------------------------------------------------------

    def receive(self, line: bytes) -> None:
        """One line from the client. Lines that are not requests get no reply, as upstream."""
        incoming = decode(line)
        if isinstance(incoming, Refused):
            self._send(refusal(incoming))
        elif isinstance(incoming, Response):
            self._resolve(incoming)
        elif isinstance(incoming, Request):
            task = asyncio.ensure_future(self._answer(incoming))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _resolve(self, response: Response) -> None:
        """The client's answer to a server request. One about a thread (an approval) is
        acknowledged with ``serverRequest/resolved`` before the waiting code goes on."""
        pending = self._waiting.get(response.id) if isinstance(response.id, int) else None
        if pending is None or pending[1].done():
            log.warning("ignoring a response to unknown server request %r", response.id)
            return
        params, waiting = pending
        thread_id = getattr(params, "thread_id", None)
        if isinstance(thread_id, str):
            self.notify(
                ServerRequestResolvedNotification(thread_id=thread_id, request_id=response.id)
            )
        if response.error is not None:
            error = response.error if isinstance(response.error, dict) else {}
            waiting.set_exception(ClientAnsweredError(str(error.get("message", "error"))))
        else:
            waiting.set_result(response.result)

    async def _answer(self, request: Request) -> None:
        then: list[WireModel] = []
        after = None
        with answering(request.id) as answer:
            reply = await self._dispatch(request)
            answer.succeed(reply.result.wire())
            then, after = reply.then, reply.after
        self._send(answer.line)
        if request.method == "initialize" and answer.ok:
            self._discovery.handshake_answered()
        for body in then:
            self.notify(body)
        if answer.ok and after is not None:
            after()

    async def _dispatch(self, request: Request) -> Reply[Any]:
        if request.method == "initialize":
            if self.peer.initialized:
                raise InvalidRequest("Already initialized")
        elif not self.peer.initialized:
            raise InvalidRequest("Not initialized")
        method = HANDLERS.get(request.method)
        if method is None:
            raise InvalidRequest(
                f"Invalid request: unknown variant `{request.method}`, expected one of {KNOWN}"
            )
        return await method.call(self.context, request.params, request.has_params)

    # -- ending ---------------------------------------------------------------------

    async def drain(self) -> None:
        """Let requests already received be answered (stdin may close right after them)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=DRAIN_SECONDS)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._discovery.close()
        await self._threads.close()
        await self._logins.close()
        await self._backend.close()
