"""The order of the login notifications.

A client acts on ``account/updated``; one that arrives before the completion of the
login it reports, or after a completion that reported the login failed, makes a client
show a sign-in that did not happen. A login id completed twice makes it act twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Message, Report, Rule
from .turn_events import notification_params


class LoginOrder(Rule):
    """`account/updated` reports a sign-in only after the `account/login/completed` of the
    login in flight, and never after a completion that reported a failure (until the
    next login or logout)."""

    name: ClassVar[str] = "login-order"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.in_flight: dict[Any, str] = {}  # request id -> login type
        self.awaiting_completion: set[str | None] = set()
        #: The login whose completion last reported a failure, until a new login or a logout.
        self.failed: str | None = None

    def sent(self, message: Message, method: str | None) -> None:
        if "method" not in message or "id" not in message:
            return  # only the kit's requests start or end a login
        params = message.get("params")
        if method == "account/login/start" and isinstance(params, dict):
            self.in_flight[message["id"]] = str(params.get("type"))
        if method in ("account/login/start", "account/logout"):
            self.failed = None

    def received(self, message: Message, method: str | None) -> None:
        if method == "account/login/start" and "method" not in message:
            kind = self.in_flight.pop(message.get("id"), None)
            result = message.get("result")
            if kind is not None and isinstance(result, dict):
                self.awaiting_completion.add(result.get("loginId"))
            return
        params = notification_params(message)
        if params is None:
            return
        if method == "account/login/completed":
            login_id = params.get("loginId")
            self.awaiting_completion.discard(login_id)
            self.failed = None if params.get("success") else str(login_id)
        elif method == "account/updated" and params.get("authMode") is not None:
            self._signed_in()

    def _signed_in(self) -> None:
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


class LoginCompletedOnce(Rule):
    """A login id is completed once: a second `account/login/completed` for it is a fault."""

    name: ClassVar[str] = "login-completed-once"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.completed: set[str] = set()

    def received(self, message: Message, method: str | None) -> None:
        params = notification_params(message)
        if params is None or method != "account/login/completed":
            return
        login_id = params.get("loginId")
        if isinstance(login_id, str):
            if login_id in self.completed:
                self.report(f"a second account/login/completed for login {login_id}")
            self.completed.add(login_id)
