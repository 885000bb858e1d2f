"""Ordering rules of the login protocol, held in every scenario.

A client acts on ``account/updated``; one that arrives before the completion of the
login it reports, or after a completion that reported the login failed, makes a client
show a sign-in that did not happen. A login id completed twice makes it act twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
Report = Callable[[str], None]


@dataclass
class LoginOrder:
    """What the ordering rules need to know about logins in flight."""

    report: Report
    in_flight: dict[Any, str] = field(default_factory=dict)  # request id -> login type
    awaiting_completion: set[str | None] = field(default_factory=set)
    completed_ids: set[str] = field(default_factory=set)
    #: The login whose completion last reported a failure, until a new login or a logout.
    failed: str | None = None

    def sent(self, request_id: Any, method: str, params: Any) -> None:
        """The kit sent a request."""
        if method == "account/login/start" and isinstance(params, dict):
            self.in_flight[request_id] = str(params.get("type"))
        if method in ("account/login/start", "account/logout"):
            self.failed = None

    def received(self, message: Message, method: str | None) -> None:
        if method == "account/login/start" and "method" not in message:
            kind = self.in_flight.pop(message.get("id"), None)
            result = message.get("result")
            if kind is not None and isinstance(result, dict):
                self.awaiting_completion.add(result.get("loginId"))
        elif method == "account/login/completed" and "id" not in message:
            self._completed(message.get("params") or {})
        elif method == "account/updated" and "id" not in message:
            self._updated(message.get("params") or {})

    def _completed(self, params: dict[str, Any]) -> None:
        login_id = params.get("loginId")
        if isinstance(login_id, str):
            if login_id in self.completed_ids:
                self.report(f"a second account/login/completed for login {login_id}")
            self.completed_ids.add(login_id)
        self.awaiting_completion.discard(login_id)
        self.failed = None if params.get("success") else str(login_id)

    def _updated(self, params: dict[str, Any]) -> None:
        if params.get("authMode") is None:
            return
        if self.awaiting_completion:
            waiting = ", ".join(str(x) for x in self.awaiting_completion)
            self.report(
                "account/updated reported a sign-in before account/login/completed "
                f"(login {waiting} has not completed)"
            )
        elif self.failed is not None:
            self.report(
                "account/updated reported a sign-in after account/login/completed "
                f"reported login {self.failed} failed"
            )
