"""Requests the server sends the client (approvals above all), and how they end.

A client keeps the server's requests by id until it answers them; a second request
under an id still outstanding overwrites the first, and the client answers one of
them twice. Once the client has answered an approval, the server says so
(`serverRequest/resolved`) before the item the approval was about completes: a client
waits for that to close its approval prompt everywhere it shows it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Message, Report, Rule
from .turn_events import ITEM_COMPLETED, TURN_COMPLETED, item_of, notification_params, turn_of

RESOLVED = "serverRequest/resolved"


def is_approval(method: str | None) -> bool:
    """``item/commandExecution/requestApproval``, ``item/fileChange/requestApproval`` ..."""
    return bool(method) and str(method).endswith("/requestApproval")


class ServerRequestIds(Rule):
    """A server request's id is not that of another of its requests still outstanding
    (sent, and neither answered by the client nor reported resolved)."""

    name: ClassVar[str] = "server-request-ids"
    kind = "protocol"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.outstanding: dict[Any, str] = {}  # id -> method

    def received(self, message: Message, method: str | None) -> None:
        if "method" in message and "id" in message:
            request_id = message["id"]
            if request_id in self.outstanding:
                self.report(
                    f"the server request {method} reuses id {request_id!r}, which its "
                    f"{self.outstanding[request_id]} request still outstanding has"
                )
            self.outstanding[request_id] = str(method)
            return
        params = notification_params(message)
        if params is not None and method == RESOLVED:
            self.outstanding.pop(params.get("requestId"), None)

    def sent(self, message: Message, method: str | None) -> None:
        if "method" not in message and "id" in message:
            self.outstanding.pop(message["id"], None)


class ApprovalResolved(Rule):
    """Once the client answers an approval request, the server reports it resolved
    (`serverRequest/resolved` with its id) before the item it is about completes and
    before its turn completes; it never reports resolved a request it did not send."""

    name: ClassVar[str] = "approval-resolved"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.sent_requests: dict[Any, dict[str, Any]] = {}  # id -> params, until resolved
        self.answered: dict[Any, dict[str, Any]] = {}  # approvals answered, not resolved

    def received(self, message: Message, method: str | None) -> None:
        if "method" in message and "id" in message:
            params = message.get("params")
            self.sent_requests[message["id"]] = params if isinstance(params, dict) else {}
            return
        params = notification_params(message)
        if params is None:
            return
        if method == RESOLVED:
            request_id = params.get("requestId")
            if request_id not in self.sent_requests:
                self.report(
                    f"serverRequest/resolved names request {request_id!r}, which the server "
                    "never sent (or had already resolved)"
                )
            self.sent_requests.pop(request_id, None)
            self.answered.pop(request_id, None)
        elif method == ITEM_COMPLETED:
            self._closing("item", item_of(params).get("id"), "itemId", ITEM_COMPLETED)
        elif method == TURN_COMPLETED:
            self._closing("turn", turn_of(params).get("id"), "turnId", TURN_COMPLETED)

    def sent(self, message: Message, method: str | None) -> None:
        if "method" not in message and "id" in message and is_approval(method):
            params = self.sent_requests.get(message["id"])
            if params is not None:
                self.answered[message["id"]] = {**params, "method": method}

    def _closing(self, what: str, ident: Any, key: str, method: str) -> None:
        """An item or turn ends: no answered approval about it may still be unresolved."""
        for request_id, params in list(self.answered.items()):
            if params.get(key) == ident and ident is not None:
                del self.answered[request_id]
                self.report(
                    f"{method} for {what} {ident} came before serverRequest/resolved for the "
                    f"answered {params['method']} (id {request_id!r})"
                )
