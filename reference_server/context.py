"""The contract between a connection and its handlers: what a handler is given
(:class:`Context`) and what it gives back (:class:`Reply`).

Handlers see these parts of a connection and nothing else, so they never import the
connection (which imports them, through the method registry). Heavy types are named for
mypy only: the stdio fast path imports this module before its first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from .jsonrpc import Ask, Notify
from .protocol.base import WireModel
from .release import user_agent

if TYPE_CHECKING:
    from .backend_client import BackendClient
    from .conversation.threads import Threads
    from .credentials import Credentials
    from .login.logins import Logins
    from .protocol.initialize import InitializeParams
    from .settings import Settings

R = TypeVar("R", bound=WireModel)


@dataclass
class Peer:
    """What the handshake told about the client."""

    initialized: bool = False
    name: str = "codex"
    version: str = ""
    experimental: bool = False

    def adopt(self, params: InitializeParams) -> None:
        self.initialized = True
        self.name = params.client_info.name
        self.version = params.client_info.version
        self.experimental = bool(params.capabilities and params.capabilities.experimental_api)

    def user_agent(self) -> str:
        return user_agent(self.name, self.version)


@dataclass(frozen=True)
class Context:
    settings: Settings
    peer: Peer
    credentials: Credentials
    backend: BackendClient
    logins: Logins
    threads: Threads
    notify: Notify
    ask: Ask


@dataclass(frozen=True)
class Reply(Generic[R]):
    """A handler's answer, the notifications that follow it on the wire, and what starts
    once both are out (a turn's work, whose notifications must come after its answer)."""

    result: R
    then: list[WireModel] = field(default_factory=list)
    after: Callable[[], None] | None = None
