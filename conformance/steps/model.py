"""What the server sent the model: the mock's request log, read at a point of the story.

The mock backend plays the model and records every request it answered, decoded
(``GET {control}/model/requests``): the input, the bearer it carried and whether the
mock issued it. A scenario holds the Nth of them to what the server should have sent:
the history of a second turn, a command's output after an approval, a fresh token
after a refresh.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from ..capabilities import CONVERSATION
from .base import Expect, Save, StepKind, Timeout

if TYPE_CHECKING:
    from ..run_context import RunContext

_VIEW = (
    "What the decoded request must hold: `input` (as sent), `conversation` (the whole "
    "conversation, history included, on either transport), `model`, `tools` (the names "
    "offered), `auth` (`bearer: live`, `issued_by_tenant` ...), `transport`, `metadata`, "
    "`seconds_since_previous` (since the request before it; null for the first)."
)


def view(answered: list[dict[str, Any]], number: int) -> dict[str, Any]:
    """The request ``number`` (1-based) as a scenario sees it: the mock's record, plus
    ``conversation`` and ``seconds_since_previous`` (a retry's wait, on the backend clock)."""
    record = answered[number - 1]
    conversation = record.get("full_input")
    previous = answered[number - 2]["at"] if number > 1 else None
    return {
        **record,
        "conversation": conversation if conversation is not None else record["input"],
        "seconds_since_previous": None if previous is None else round(record["at"] - previous, 3),
    }


class ModelRequest(StepKind):
    """Await the Nth request the model answered (1-based; prewarms and refused requests
    do not count) and hold it to `expect`."""

    action: ClassVar[str] = "model_request"
    written: ClassVar[str] = "N"
    uses_backend: ClassVar[bool] = True

    model_request: int = Field(ge=1, le=1000)
    expect: Expect = Field(default=None, description=_VIEW)
    save: Save = None
    timeout: Timeout = None

    def capabilities(self) -> frozenset[str]:
        return frozenset({CONVERSATION})

    def execute(self, run: RunContext) -> None:
        wanted = self.model_request
        timeout = run.timeout(self.timeout)
        deadline = time.monotonic() + timeout
        answered: list[dict[str, Any]] = []
        seen = 0  # the last seq read: each poll asks only for the requests after it
        while True:
            fresh = run.tenant.control.model_requests(since=seen)
            seen = fresh[-1]["seq"] if fresh else seen
            answered.extend(r for r in fresh if r.get("kind") == "turn")
            if len(answered) >= wanted:
                break
            if time.monotonic() > deadline:
                run.fail(
                    "mismatch",
                    f"the model was asked {len(answered)} time(s) after {timeout:g} s; "
                    f"expected a request number {wanted}",
                )
                return
            time.sleep(0.05)
        request = view(answered, wanted)
        run.check(self.expect, request, f"model request {wanted}")
        if self.save:
            run.saved[self.save] = request
