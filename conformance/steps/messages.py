"""What the kit sends: requests (and their answers), notifications, raw lines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, model_validator

from ..capabilities import LOGIN_CAPABILITY, method_capability
from ..results import Failure
from ..session import MISSING, Stop
from .base import Expect, Params, Save, StepKind, Timeout

if TYPE_CHECKING:
    from ..method_names import Role
    from ..run_context import RunContext

_ANSWER = (
    "The answer's `result`, or `{result: ...}` / `{error: {...}}` for the whole answer "
    "(default: any result)."
)


class Request(StepKind):
    """Send a request; `expect` holds the result, or `{error: {...}}`."""

    action: ClassVar[str] = "request"
    method_role: ClassVar[Role | None] = "client-request"
    written: ClassVar[str] = "METHOD"

    request: str
    params: Params = None
    id: Any = Field(default=None, description="The request id (default: the next integer).")
    expect: Expect = Field(default=None, description=_ANSWER)
    save: Save = None
    timeout: Timeout = None
    wait: bool = Field(
        default=True,
        description="`false`: send it and go on; a `response: NAME` step awaits the answer.",
    )
    off_schema: bool = Field(
        default=False,
        description="The kit breaks the schema on purpose: a method no bundle declares, "
        "params it forbids (labelled so; not a kit fault).",
    )

    @model_validator(mode="after")
    def _named_when_not_awaited(self) -> Request:
        if not self.wait and not self.save:
            raise ValueError("`wait: false` is for a request step with `save: NAME`")
        return self

    def capabilities(self) -> frozenset[str]:
        needed = method_capability(self.request)
        found = {needed} if needed else set()
        if self.request == "account/login/start" and isinstance(self.params, dict):
            login = LOGIN_CAPABILITY.get(str(self.params.get("type")))
            if login and not self.off_schema:
                found.add(login)
        return frozenset(found)

    def execute(self, run: RunContext) -> None:
        session = run.session
        params = run.substitute(self.params) if "params" in self.model_fields_set else MISSING
        request_id = run.substitute(self.id) if self.id is not None else MISSING
        label = "deliberately off-schema" if self.off_schema else None
        sent = session.request(self.request, params, request_id, label=label)
        if not self.wait:
            assert self.save is not None  # checked at load
            run.pending[self.save] = (sent, self.request)
            return
        reply = session.response(sent, run.timeout(self.timeout))
        judge_answer(run, self.expect, self.save, reply, self.request)


class Response(StepKind):
    """Await the answer to a request sent with `wait: false, save: NAME`; saved as NAME."""

    action: ClassVar[str] = "response"
    written: ClassVar[str] = "NAME"

    response: str
    expect: Expect = Field(default=None, description=_ANSWER)
    timeout: Timeout = None

    def execute(self, run: RunContext) -> None:
        if self.response not in run.pending:
            raise Stop(
                Failure(
                    "kit", "setup", f"{run.where}: no request saved as {self.response!r} awaits"
                )
            )
        sent, method = run.pending.pop(self.response)
        reply = run.session.response(sent, run.timeout(self.timeout))
        judge_answer(run, self.expect, self.response, reply, method)


def judge_answer(
    run: RunContext, expect: Any, save: str | None, reply: dict[str, Any], method: str
) -> None:
    """Hold an answer to ``expect`` (a result, or the whole answer) and save it."""
    run.check(_whole_answer(expect), reply, f"the answer to {method}")
    if save:
        run.saved[save] = reply.get("result", reply.get("error"))


def _whole_answer(expect: Any) -> Any:
    """``expect`` as a whole answer: a bare value is the result; each alternative of a
    top-level ``$any_of`` is read the same way (``{result: {}}`` or ``{error: ...}``)."""
    if expect is None:
        return {"result": "$any"}
    if (
        isinstance(expect, dict)
        and set(expect) == {"$any_of"}
        and isinstance(expect["$any_of"], list)
    ):
        return {"$any_of": [_whole_answer(option) for option in expect["$any_of"]]}
    if isinstance(expect, dict) and ("result" in expect or "error" in expect):
        return expect
    return {"result": expect}


class Notify(StepKind):
    """Send a client notification."""

    action: ClassVar[str] = "notify"
    method_role: ClassVar[Role | None] = "client-notification"
    written: ClassVar[str] = "METHOD"

    notify: str
    params: Params = None

    def execute(self, run: RunContext) -> None:
        params = run.substitute(self.params) if "params" in self.model_fields_set else MISSING
        run.session.notify(self.notify, params)


class Send(StepKind):
    """Send a line as it is (labelled *deliberately malformed*); a mapping is sent as JSON."""

    action: ClassVar[str] = "send"
    written: ClassVar[str] = "LINE"

    send: str | dict[str, Any]

    def execute(self, run: RunContext) -> None:
        raw = self.send if isinstance(self.send, str) else json.dumps(self.send)
        run.session.send_raw(str(run.substitute(raw)))
