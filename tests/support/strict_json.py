"""JSON as RFC 8259 has it, for tests reading what a server sent: Python's ``json``
accepts ``NaN``, ``Infinity`` and ``-Infinity``, which no other JSON parser does, so a
server that sends them breaks its clients while a lenient test stays green."""

from __future__ import annotations

import json
from typing import Any


def strict_loads(raw: str | bytes) -> Any:
    """The value of ``raw``; :class:`AssertionError` naming the constant if it holds one."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} is not JSON, in: {raw[:200]!r}")

    return json.loads(raw, parse_constant=refuse)
