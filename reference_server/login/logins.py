"""The logins of one connection, from start to end: start, replace, cancel, finish.

A login that waits on a person or a backend runs as a task. However it ends (success,
a failure the flow names, a file that cannot be written, an error nobody foresaw, a
cancel, a newer login) it ends in exactly one ``account/login/completed``; the one
exception is upstream's: a login kind reported without an id (``chatgptAuthTokens``)
reports nothing when replaced before it completes. On success the
login is stored first, then ``account/login/completed`` and ``account/updated`` go out,
in that order: a client reads the account when the update arrives.

What differs between login kinds is data in their registry
(:data:`reference_server.handlers.login.KINDS`); this module sees a kind only through
:class:`Kind`, so it names none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from ..account_view import account_updated
from ..auth_store import StoredAuth
from ..credentials import Credentials
from ..errors import LoginFailed, os_error_text
from ..jsonrpc import Notify
from ..protocol.account import AccountLoginCompletedNotification, WorkspaceRouting
from ..protocol.base import WireModel

log = logging.getLogger("reference_server")

NOT_COMPLETED = "Login was not completed"


class Kind(Protocol):
    """What a login's life needs to know of its kind (an entry of the login registry)."""

    @property
    def name(self) -> str:
        """The ``type`` of its ``account/login/start`` request."""

    @property
    def has_id(self) -> bool:
        """Whether upstream reports it under an id; one without is reported with
        ``loginId: null``, and not at all when a newer login replaces it."""

    @property
    def replaced(self) -> str:
        """The error its completion carries when a newer login replaces it."""

    @property
    def replaced_by_its_kind(self) -> str | None:
        """The error when the newer login is of the same kind (None: :attr:`replaced`)."""


@dataclass(frozen=True)
class SignIn:
    """What a login that succeeded leaves: the credentials, and where the account routes."""

    auth: StoredAuth
    routing: WorkspaceRouting | None = None


Flow = Coroutine[Any, Any, SignIn]
#: What runs once a login's success has been reported (its own failures are only logged).
After = Callable[[SignIn], Awaitable[None]]


def completed(login_id: str | None, error: str | None) -> AccountLoginCompletedNotification:
    return AccountLoginCompletedNotification(login_id=login_id, success=error is None, error=error)


@dataclass
class _Pending:
    kind: Kind
    flow: Flow
    task: asyncio.Task[None]


class Logins:
    def __init__(self, credentials: Credentials, notify: Notify) -> None:
        self._credentials = credentials
        self._notify = notify
        self._pending: dict[str, _Pending] = {}

    def start(self, kind: Kind, flow: Flow, after: After | None = None) -> str:
        """Run ``flow`` in the background; the new login's id."""
        login_id = str(uuid.uuid4())
        reported = login_id if kind.has_id else None
        task = asyncio.ensure_future(self._run(login_id, reported, flow, after))
        self._pending[login_id] = _Pending(kind, flow, task)
        return login_id

    async def replace(self, newer: Kind) -> list[WireModel]:
        """End every pending login for a new one; the completions to send after its answer.

        Upstream's words depend on both kinds (a browser login replaced by another
        browser login was "cancelled"); each kind's entry holds them.
        """
        ended: list[WireModel] = []
        for login_id, pending in list(self._pending.items()):
            await self._stop(login_id)
            kind = pending.kind
            if not kind.has_id:
                continue
            error = kind.replaced
            if newer.name == kind.name and kind.replaced_by_its_kind is not None:
                error = kind.replaced_by_its_kind
            ended.append(completed(login_id, error))
        return ended

    async def cancel(self, login_id: str) -> WireModel | None:
        """End a pending login; its completion, or ``None`` when there is no such login."""
        if login_id not in self._pending:
            return None
        await self._stop(login_id)
        return completed(login_id, NOT_COMPLETED)

    def finish(self, login_id: str | None, sign_in: SignIn) -> list[WireModel]:
        """Store the login (``OSError`` if it cannot be), then the two notifications for it."""
        self._credentials.sign_in(sign_in.auth, sign_in.routing)
        return [completed(login_id, None), account_updated(sign_in.auth)]

    async def close(self) -> None:
        for login_id in list(self._pending):
            await self._stop(login_id)

    async def _run(
        self, login_id: str, reported: str | None, flow: Flow, after: After | None
    ) -> None:
        sign_in: SignIn | None = None
        try:
            sign_in = await flow
            notices = self.finish(reported, sign_in)
        except LoginFailed as failure:
            log.warning("login %s failed: %s", login_id, failure)
            notices, sign_in = [completed(reported, str(failure))], None
        except OSError as exc:
            log.error("login %s could not be stored: %s", login_id, exc)
            notices, sign_in = [completed(reported, os_error_text(exc))], None
        except Exception as exc:
            log.exception("login %s failed", login_id)
            notices, sign_in = [completed(reported, str(exc) or type(exc).__name__)], None
        finally:
            self._pending.pop(login_id, None)
        for notice in notices:
            self._notify(notice)
        if sign_in is not None and after is not None:
            try:
                await after(sign_in)
            except Exception:
                log.exception("after login %s", login_id)

    async def _stop(self, login_id: str) -> None:
        pending = self._pending.pop(login_id, None)
        if pending is None:
            return
        pending.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pending.task
        pending.flow.close()  # a flow cancelled before it ever ran was never awaited
