"""Pydantic's validation errors as text a person can act on: where, then what.

One reading of an error's location for every surface that shows one: the mock's
scenario files and control API bodies, and the conformance kit's scenario and baseline
files (the kit imports this module). Each surface chooses how to show the whole (one line
joined by ``;``, or one error a line) and what to call the document itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails

Render = Callable[[ErrorDetails], str]


def location(parts: Sequence[int | str], top: str = "") -> str:
    """``steps.0.expect``: a location as pydantic gives it, dotted; ``top`` when it is
    empty (the error is about the document as a whole)."""
    return ".".join(str(part) for part in parts) or top


def dotted(error: ErrorDetails, top: str = "") -> str:
    """``steps.0.expect: Extra inputs are not permitted``."""
    return f"{location(error['loc'], top)}: {error['msg']}"


def validation_text(exc: ValidationError, render: Render = dotted, separator: str = "; ") -> str:
    """Every error of ``exc`` (all at once, not the first), each rendered by ``render``."""
    return separator.join(render(error) for error in exc.errors())
