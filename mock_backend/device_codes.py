"""Device codes and how a poll is answered: the RFC 8628 side of the backend.

Pure state and rules, no HTTP: the route turns a :class:`PollAnswer` into the
status and body the app-server expects (403 = still pending, 2xx = approved,
anything else = failure).
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from .personas import Persona
from .scripts import LoginOutcome, Script

#: RFC 8628 §6.1: a user code from 20 consonants, easy to type and hard to misread.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
#: Polls arriving this much sooner than the interval still count as on time
#: (the client sleeps ``interval`` after each answer, plus network jitter).
POLL_TOLERANCE = 0.05


def new_user_code() -> str:
    chars = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_user_code(text: str) -> str:
    """What a person types, as the backend stores it: upper case, one dash."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else text.strip().upper()


class CodeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    EXCHANGED = "exchanged"


class PollAnswer(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    SLOW_DOWN = "slow_down"
    SERVER_ERROR = "server_error"
    ALREADY_EXCHANGED = "already_exchanged"


class DeviceCode:
    """One outstanding code. Slotted: tens of thousands may be outstanding at once."""

    __slots__ = (
        "authorization_code",
        "created_at",
        "device_auth_id",
        "expires_at",
        "interval",
        "last_poll_at",
        "persona",
        "polls",
        "script",
        "slow_down_sent",
        "state",
        "tenant",
        "too_fast_polls",
        "user_code",
    )

    def __init__(
        self, tenant: str, script: Script, now: float, interval: int, expires_in: int
    ) -> None:
        self.user_code = new_user_code()
        self.device_auth_id = "deviceauth_" + secrets.token_urlsafe(16)
        self.tenant = tenant
        self.script = script
        self.created_at = now
        self.expires_at = now + expires_in
        self.interval = interval
        self.polls = 0
        self.too_fast_polls = 0
        self.last_poll_at: float | None = None
        self.state = CodeState.PENDING
        self.persona: Persona | None = None
        self.authorization_code: str | None = None
        self.slow_down_sent = False

    def decide(self, state: CodeState, persona: Persona | None = None) -> bool:
        """A person or a test decides; False when the code is no longer pending."""
        if self.state is not CodeState.PENDING:
            return False
        self.state = state
        if persona is not None:
            self.persona = persona
        return True

    def poll(self, now: float) -> tuple[PollAnswer, bool]:
        """Answer one poll; the flag says it came sooner than the interval allows."""
        too_fast = (
            self.last_poll_at is not None
            and self.interval > 0
            and now - self.last_poll_at < self.interval - POLL_TOLERANCE
        )
        if too_fast:
            self.too_fast_polls += 1
        self.polls += 1
        self.last_poll_at = now
        if self.state is CodeState.PENDING and now >= self.expires_at:
            self.state = CodeState.EXPIRED
        if self.state is CodeState.PENDING:
            scripted = self._apply_script(now)
            if scripted is not None:
                return scripted, too_fast
        return _ANSWER_BY_STATE[self.state], too_fast

    def _apply_script(self, now: float) -> PollAnswer | None:
        script = self.script
        if script.outcome is LoginOutcome.PENDING:
            return None
        if self.polls <= script.after_polls or now - self.created_at < script.after_seconds:
            return None
        outcome = script.outcome
        if outcome is LoginOutcome.SLOW_DOWN:
            if self.slow_down_sent:
                return None
            self.slow_down_sent = True
            return PollAnswer.SLOW_DOWN
        if outcome is LoginOutcome.SERVER_ERROR:
            return PollAnswer.SERVER_ERROR
        if outcome is LoginOutcome.DENIED:
            self.state = CodeState.DENIED
        elif outcome is LoginOutcome.EXPIRED:
            self.state = CodeState.EXPIRED
        elif outcome in (
            LoginOutcome.APPROVED,
            LoginOutcome.TOKEN_EXCHANGE_FAILURE,
            LoginOutcome.WORKSPACE_CHECK_FAILURE,
        ):
            self.state = CodeState.APPROVED
        return None

    def snapshot(self, now: float) -> dict[str, object]:
        return {
            "user_code": self.user_code,
            "device_auth_id": self.device_auth_id,
            "state": self.state.value,
            "polls": self.polls,
            "too_fast_polls": self.too_fast_polls,
            "interval": self.interval,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "expires_in": max(0, round(self.expires_at - now)),
            "script": self.script.model_dump(mode="json", exclude_none=True),
            "persona": self.persona.model_dump() if self.persona else None,
        }


_ANSWER_BY_STATE = {
    CodeState.PENDING: PollAnswer.PENDING,
    CodeState.APPROVED: PollAnswer.APPROVED,
    CodeState.DENIED: PollAnswer.DENIED,
    CodeState.EXPIRED: PollAnswer.EXPIRED,
    CodeState.EXCHANGED: PollAnswer.ALREADY_EXCHANGED,
}
