"""The mock backend: act on it, or see what the server asked of it.

The actions themselves are ``mock_backend.backend_actions``' registry (the same one a
scenario's ``backend:`` list uses); these steps only run them at a point of the story.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, ValidationError

from mock_backend.backend_actions import BACKEND_ACTIONS
from mock_backend.validation_text import validation_text

from .base import Expect, StepKind, Timeout

if TYPE_CHECKING:
    from ..run_context import RunContext


def known_backend_action(action: dict[str, Any]) -> dict[str, Any]:
    """One action per entry, named in the mock backend's registry (``backend:`` and steps),
    its argument in the action's form where it has one (a model script is checked here,
    not when a turn takes it)."""
    if len(action) != 1 or next(iter(action)) not in BACKEND_ACTIONS:
        raise ValueError(
            f"a backend action is one of {', '.join(BACKEND_ACTIONS)}; got {sorted(action)}"
        )
    ((name, args),) = action.items()
    try:
        BACKEND_ACTIONS[name].check(args)
    except ValidationError as exc:
        raise ValueError(f"{name}: {validation_text(exc)}") from None
    return action


#: One ``{ACTION: ARGUMENT}`` entry, as ``backend:`` lists and ``backend`` steps write it.
BackendAction = Annotated[dict[str, Any], AfterValidator(known_backend_action)]


class Backend(StepKind):
    """One mock backend action (below)."""

    action: ClassVar[str] = "backend"
    written: ClassVar[str] = "{ACTION: ARGS}"
    uses_backend: ClassVar[bool] = True

    backend: BackendAction

    def execute(self, run: RunContext) -> None:
        run.backend_action(self.backend)


class Journal(StepKind):
    """Await requests the backend saw on a route; `expect` holds their bodies."""

    action: ClassVar[str] = "journal"
    written: ClassVar[str] = "ROUTE"
    uses_backend: ClassVar[bool] = True

    journal: str
    expect: Expect = Field(
        default=None, description="The bodies, one per request, in order (awaits that many)."
    )
    timeout: Timeout = None

    def execute(self, run: RunContext) -> None:
        wanted = run.substitute(self.expect) if self.expect is not None else None
        timeout = run.timeout(self.timeout)
        deadline = time.monotonic() + timeout
        while True:
            entries = run.tenant.control.journal(route=self.journal)
            if entries and (wanted is None or len(entries) >= len(wanted)):
                break
            if time.monotonic() > deadline:
                run.fail(
                    "mismatch",
                    f"the backend saw {len(entries)} request(s) on {self.journal} "
                    f"after {timeout:g} s",
                )
                return
            time.sleep(0.05)
        if wanted is not None:
            bodies = [entry.get("body") for entry in entries]
            run.check(wanted, bodies, f"requests on {self.journal}")
