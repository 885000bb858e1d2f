"""Step kinds: one registry, from which the loader, the docs and a scenario's needs derive.

Every module of this package is imported here, and every :class:`StepKind` subclass in
them registers itself by its action key: a new kind is one class in one module (a new
module is picked up as it is). :data:`Step` is what a scenario's ``steps:`` hold: each
mapping is validated by the one kind whose action key it carries, so each kind accepts
its own qualifiers and no other.

    python -m conformance.steps     # the step tables of docs/conformance.md
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BeforeValidator, Discriminator, Tag

from .base import KINDS, StepKind

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")


def action_of(data: Any) -> str | None:
    """The one action key a step carries (None when it carries none, or several)."""
    if isinstance(data, StepKind):
        return data.action
    if not isinstance(data, dict):
        return None
    found = [key for key in data if key in KINDS]
    return found[0] if len(found) == 1 else None


def _one_action(data: Any) -> Any:
    if isinstance(data, dict) and action_of(data) is None:
        found = sorted(key for key in data if key in KINDS)
        raise ValueError(
            f"a step needs exactly one action of {', '.join(sorted(KINDS))}; got {found}"
        )
    return data


if TYPE_CHECKING:
    Step = StepKind
else:
    Step = Annotated[
        Union[tuple(Annotated[kind, Tag(action)] for action, kind in KINDS.items())],  # noqa: UP007
        Discriminator(
            action_of,
            custom_error_type="step",
            custom_error_message="a step is a mapping with one action key",
        ),
        BeforeValidator(_one_action),
    ]

__all__ = ["KINDS", "Step", "StepKind", "action_of"]
