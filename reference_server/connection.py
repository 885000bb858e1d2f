"""One client connection: its handshake state, its logins, and method dispatch.

Every request runs in its own task, so a slow handler (a login waiting on the
backend) never blocks the others. Exceptions become JSON-RPC errors here and
nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from .auth_store import AuthStore, StoredAuth
from .backend_client import BackendClient
from .errors import InternalError, InvalidRequest, RpcError
from .handlers import Outcome
from .settings import Settings

if TYPE_CHECKING:
    from .handlers.initialize import Handshake
    from .protocol.account import WorkspaceRouting

log = logging.getLogger("reference_server")

Handler = Callable[["Connection", Any, bool], Awaitable[Outcome]]
#: method -> "module:function". Modules load on first use (or right after the
#: initialize reply), so nothing but the handshake is imported before the first answer.
HANDLERS: dict[str, str] = {
    "initialize": "initialize:initialize",
    "account/read": "account:read",
    "account/login/start": "account:login_start",
    "account/login/cancel": "account:login_cancel",
    "account/logout": "account:logout",
    "account/rateLimits/read": "account:rate_limits",
}


def resolve(target: str) -> Handler:
    module, _, function = target.partition(":")
    handler: Handler = getattr(
        importlib.import_module(f"reference_server.handlers.{module}"), function
    )
    return handler


NOT_COMPLETED = "Login was not completed"
#: At EOF, how long requests under way may take to be answered.
DRAIN_SECONDS = 10.0


def _warm_up() -> None:
    """After the handshake is answered: load the account handlers before they are asked."""
    resolve(HANDLERS["account/read"])


class Connection:
    def __init__(self, settings: Settings, send: Callable[[dict[str, Any]], None]) -> None:
        self.settings = settings
        self._send = send
        self.initialized = False
        self.experimental = False
        self.store = AuthStore(settings.codex_home)
        self.client = BackendClient(settings)
        self.logins: dict[str, asyncio.Task[None]] = {}
        #: login id -> "device", "browser" or "external": what a replaced login reports.
        self.login_kinds: dict[str, str] = {}
        self.client_name = "codex"
        self.routing: dict[str, WorkspaceRouting] = {}
        #: chatgptAuthTokens logins live in memory only, never in auth.json.
        self.external_auth: StoredAuth | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._next_server_request = 0

    # -- outgoing -------------------------------------------------------------------

    async def server_request(self, method: str, params: Any, wait_seconds: float) -> Any:
        """Ask the client; its ``result``, or :class:`TimeoutError` / :class:`RpcError`."""
        request_id = self._next_server_request
        self._next_server_request += 1
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        self._send({"method": method, "id": request_id, "params": params})
        try:
            return await asyncio.wait_for(answer, wait_seconds)
        finally:
            self._waiting.pop(request_id, None)

    def _resolve_server_request(self, message: dict[str, Any]) -> None:
        answer = self._waiting.get(message["id"]) if isinstance(message["id"], int) else None
        if answer is None or answer.done():
            log.warning("ignoring a response to unknown server request %r", message["id"])
            return
        if "error" in message:
            error = message["error"] if isinstance(message["error"], dict) else {}
            answer.set_exception(RpcError(str(error.get("message", "error"))))
        else:
            answer.set_result(message.get("result"))

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params, "emittedAtMs": int(time.time() * 1000)})

    # -- incoming -------------------------------------------------------------------

    def receive(self, line: bytes) -> None:
        """One line from the client. Lines that are not requests get no reply, as upstream."""
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            log.warning("ignoring a line that is not JSON (%d bytes)", len(line))
            return
        if not isinstance(message, dict):
            return
        if "method" not in message and "id" in message:
            self._resolve_server_request(message)
            return
        if not isinstance(message.get("method"), str):
            return
        method: str = message["method"]
        if "id" not in message:
            return  # client notifications (``initialized``) need no answer
        task = asyncio.ensure_future(
            self._answer(message["id"], method, message.get("params"), "params" in message)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, request_id: Any, method: str, params: Any, present: bool) -> None:
        try:
            outcome = await self._dispatch(method, params, present)
        except RpcError as error:
            self._send({"error": error.to_wire(), "id": request_id})
            return
        except Exception:
            log.exception("handler for %s failed", method)
            self._send({"error": InternalError("internal error").to_wire(), "id": request_id})
            return
        self._send({"id": request_id, "result": outcome.result})
        for notification, body in outcome.then:
            self.notify(notification, body)
        if method == "initialize":
            self.warm_up()

    async def _dispatch(self, method: str, params: Any, present: bool) -> Outcome:
        target = HANDLERS.get(method)
        if method != "initialize" and not self.initialized:
            raise InvalidRequest("Not initialized")
        if target is None:
            known = ", ".join(f"`{name}`" for name in HANDLERS)
            raise InvalidRequest(
                f"Invalid request: unknown variant `{method}`, expected one of {known}"
            )
        return await resolve(target)(self, params, present)

    # -- logins ---------------------------------------------------------------------

    def warm_up(self) -> None:
        asyncio.get_running_loop().call_soon(_warm_up)

    def adopt(self, done: Handshake) -> None:
        """The connection is initialized (here or by the stdio fast path)."""
        self.initialized = True
        self.client_name = done.client_name
        self.experimental = done.experimental

    def current_auth(self) -> StoredAuth | None:
        return self.external_auth or self.store.load()

    def start_login(
        self, login_id: str, flow: Coroutine[Any, Any, None], kind: str = "device"
    ) -> None:
        self.logins[login_id] = asyncio.ensure_future(flow)
        self.login_kinds[login_id] = kind

    async def cancel_pending_logins(self, new_kind: str) -> list[tuple[str, Any]]:
        """A new login ends the pending one, which reports that it did not complete.

        Upstream's words differ by kind: a browser login replaced by another browser
        login was "cancelled"; replaced by anything else it "was not completed".
        """
        ended: list[tuple[str, Any]] = []
        for login_id, task in list(self.logins.items()):
            self.logins.pop(login_id, None)
            kind = self.login_kinds.pop(login_id, "device")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            if kind == "external":
                continue
            error = NOT_COMPLETED
            if kind == "browser":
                reason = "Login cancelled" if new_kind == "browser" else NOT_COMPLETED
                error = f"Login server error: {reason}"
            body = {
                "loginId": login_id,
                "success": False,
                "error": error,
                "onboardingEntrypoint": None,
            }
            ended.append(("account/login/completed", body))
        return ended

    async def drain(self) -> None:
        """Let requests already received be answered (stdin may close right after them)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=DRAIN_SECONDS)

    async def close(self) -> None:
        for task in [*self.logins.values(), *self._tasks]:
            task.cancel()
        for task in [*self.logins.values(), *self._tasks]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.close()
