"""The workspace check a connection runs when it begins on a stored ChatGPT login, and the
``account/updated`` that announces its end.

Seen with 0.163.0 against the mock: on a ``CODEX_HOME`` whose ``auth.json`` holds a ChatGPT
login, the binary asks ``wham/accounts/check`` as soon as it starts, before any
``initialize``. Once that check has answered with the account, and the client's
``initialize`` has been answered, it sends ``account/updated`` (``authMode: "chatgpt"``,
the plan of the stored ``id_token``) once. Not for an API key, not when nobody is signed
in, not when the check fails, and not for later checks (a turn's). ``thread/start`` does not
wait for it: with a slow check the update comes after the thread's answer and
``thread/started``; with a quick one, before them. (0.171.0 adds ``reason:
"workspaceRoutingReady"`` to the same update.)

The routing found is remembered, so a turn's model request needs no check of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..account_view import account_updated
from ..auth_store import StoredAuth
from ..backend_client import BackendClient
from ..credentials import Credentials
from ..errors import LoginFailed
from ..jsonrpc import Notify
from ..settings import Settings
from .workspace import check_workspace

log = logging.getLogger("reference_server")


class RoutingDiscovery:
    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        backend: BackendClient,
        notify: Notify,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._backend = backend
        self._notify = notify
        self._answered = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Check the stored ChatGPT login's workspace in the background (nothing else is)."""
        auth = self._credentials.current()
        if auth is None or auth.mode != "chatgpt" or not auth.account_id:
            return
        self._task = asyncio.ensure_future(self._discover(auth))

    def handshake_answered(self) -> None:
        """The client has its ``initialize`` answer: notifications may go out."""
        self._answered.set()

    async def _discover(self, auth: StoredAuth) -> None:
        try:
            routing = await check_workspace(self._backend, self._settings, auth)
        except LoginFailed as exc:
            log.warning("workspace check at start failed: %s", exc)
            return
        self._credentials.remember_routing(routing)
        await self._answered.wait()
        if self._credentials.current() == auth:  # not signed out or replaced meanwhile
            self._notify(account_updated(auth))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
