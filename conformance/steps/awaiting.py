"""What the server sends: notifications and requests awaited, messages that must not come.

An awaited message is the first unconsumed one of its method, in arrival order; what
arrived before it and was not awaited stays for later steps.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..capabilities import SERVER_REQUESTS
from .base import Expect, Save, StepKind, Timeout

if TYPE_CHECKING:
    from ..method_names import Role
    from ..run_context import RunContext

_PARAMS = "What its `params` must hold."


class Notification(StepKind):
    """Await a notification."""

    action: ClassVar[str] = "notification"
    method_role: ClassVar[Role | None] = "server-notification"
    written: ClassVar[str] = "METHOD"

    notification: str
    expect: Expect = Field(default=None, description=_PARAMS)
    save: Save = None
    timeout: Timeout = None

    def execute(self, run: RunContext) -> None:
        method = self.notification
        message = run.session.expect(
            lambda m: m.get("method") == method and "id" not in m,
            f"the notification {method}",
            run.timeout(self.timeout),
        )
        params = message.get("params")
        run.check(self.expect, params, f"{method} params")
        if self.save:
            run.saved[self.save] = params


class Answer(BaseModel):
    """The client's answer to a server request: a result or an error."""

    model_config = ConfigDict(extra="forbid")

    result: Any = None
    error: dict[str, Any] | None = None


class ServerRequest(StepKind):
    """Await a server request and answer it (`respond`, `respond_error`, `answer`) or not."""

    action: ClassVar[str] = "server_request"
    method_role: ClassVar[Role | None] = "server-request"
    written: ClassVar[str] = "METHOD"

    server_request: str
    expect: Expect = Field(default=None, description=_PARAMS)
    save: Save = None
    timeout: Timeout = None
    respond: Any = Field(
        default=None, description="The `result` to answer with, e.g. `{decision: accept}`."
    )
    respond_error: dict[str, Any] | None = Field(
        default=None, description="The `error` to answer with: `{code: ..., message: ...}`."
    )
    answer: Answer | Literal["none"] | None = Field(
        default=None,
        description="`{result: ...}` or `{error: {...}}` to answer with; `none` (or left "
        "out, with no `respond`): no answer.",
    )

    @model_validator(mode="after")
    def _one_answer(self) -> ServerRequest:
        given = [n for n in ("respond", "respond_error", "answer") if n in self.model_fields_set]
        if len(given) > 1:
            raise ValueError(f"give one of respond, respond_error, answer; got {given}")
        return self

    def capabilities(self) -> frozenset[str]:
        return frozenset({SERVER_REQUESTS})

    def execute(self, run: RunContext) -> None:
        method = self.server_request
        session = run.session
        message = session.expect(
            lambda m: m.get("method") == method and "id" in m,
            f"the server request {method}",
            run.timeout(self.timeout),
        )
        run.check(self.expect, message.get("params"), f"{method} params")
        if self.save:
            run.saved[self.save] = message.get("params")
        if "respond" in self.model_fields_set:
            session.respond(message["id"], result=run.substitute(self.respond))
        elif self.respond_error is not None:
            session.respond(message["id"], error=run.substitute(self.respond_error))
        elif isinstance(self.answer, Answer):
            if self.answer.error is not None:
                session.respond(message["id"], error=run.substitute(self.answer.error))
            else:
                session.respond(message["id"], result=run.substitute(self.answer.result))


class NoMessage(StepKind):
    """That method (a notification or a request) must not arrive within `within` seconds."""

    action: ClassVar[str] = "no_message"
    method_role: ClassVar[Role | None] = "server"
    written: ClassVar[str] = "METHOD"

    no_message: str
    within: float = Field(default=0.5, ge=0, le=30, description="Seconds to watch (0.5).")

    def execute(self, run: RunContext) -> None:
        session = run.session
        deadline = time.monotonic() + self.within
        while True:
            session.drain(quiet=0.02, limit=max(0.0, deadline - time.monotonic()))
            found = [m for m in session.unconsumed() if m.get("method") == self.no_message]
            if found:
                session.consume(found[0])
                text = json.dumps(found[0])[:300]
                run.fail("unexpected", f"{self.no_message} arrived and must not: {text}")
                return
            if time.monotonic() >= deadline:
                return
