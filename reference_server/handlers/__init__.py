"""Method handlers, one module per method family."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Outcome:
    """A handler's answer, and the notifications that follow it on the wire."""

    result: Any
    then: list[tuple[str, Any]] = field(default_factory=list)
