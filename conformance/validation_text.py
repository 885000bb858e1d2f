"""Pydantic's validation errors as one line a person can act on: where, then what.

Scenario files and baseline files are checked by pydantic models; a user sees the
finding as ``FILE: where: what`` joined by ``;`` (every problem at once, not the first).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from pydantic_core import ErrorDetails

Render = Callable[[ErrorDetails], str]


def dotted(error: ErrorDetails) -> str:
    """``steps.0.expect: Extra inputs are not permitted``: the path pydantic gives."""
    return f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"


def validation_text(exc: ValidationError, render: Render = dotted) -> str:
    """Every error of ``exc``, each rendered by ``render``, in one line."""
    return "; ".join(render(error) for error in exc.errors())
