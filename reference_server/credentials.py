"""Who is signed in, for one connection.

Two places hold a login: ``auth.json`` (shared with the real binary and any other server
on the same ``CODEX_HOME``) and memory, for a ``chatgptAuthTokens`` login whose tokens
the client owns and the server must never write down. A login held in memory wins while
it lasts. Each ChatGPT login also leaves the workspace routing found for its account.
"""

from __future__ import annotations

from .auth_store import AuthStore, StoredAuth
from .protocol.account import WorkspaceRouting


class Credentials:
    def __init__(self, store: AuthStore) -> None:
        self.store = store
        self._in_memory: StoredAuth | None = None
        self._routing: dict[str, WorkspaceRouting] = {}

    def current(self) -> StoredAuth | None:
        return self._in_memory or self.store.load()

    @property
    def in_memory(self) -> StoredAuth | None:
        """The client-owned tokens of a ``chatgptAuthTokens`` login, if one is signed in."""
        return self._in_memory

    def routing(self, auth: StoredAuth | None) -> WorkspaceRouting | None:
        if auth is None or auth.mode == "apikey" or not auth.account_id:
            return None
        return self._routing.get(auth.account_id)

    def remember_routing(self, routing: WorkspaceRouting) -> None:
        """What a workspace check found for an account (the model endpoint's origin)."""
        self._routing[routing.chatgpt_account_id] = routing

    def sign_in(self, auth: StoredAuth, routing: WorkspaceRouting | None = None) -> None:
        """Keep ``auth`` where its kind belongs (``OSError`` when auth.json cannot be written)."""
        if auth.mode == "chatgptAuthTokens":
            self._in_memory = auth
        else:
            self.store.save(auth)
        if routing is not None:
            self._routing[routing.chatgpt_account_id] = routing

    def sign_out(self) -> None:
        """Forget every login (``OSError`` when auth.json exists but cannot be removed)."""
        self._in_memory = None
        self._routing.clear()
        self.store.delete()
