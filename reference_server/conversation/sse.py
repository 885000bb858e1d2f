"""Server-sent events from the model endpoint, one JSON event at a time, as they arrive.

Each event is yielded the moment its blank line is read, so a delta reaches the client
while the model is still writing. ``event:`` lines are ignored (the JSON carries its own
``type``), as are comments and data that is not a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any


async def events(lines: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
    """JSON events from SSE lines (each with its line ending)."""
    data: list[str] = []
    async for raw in lines:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            event = _event("\n".join(data)) if data else None
            data = []
            if event is not None:
                yield event
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:  # a last event without its blank line still counts
        event = _event("\n".join(data))
        if event is not None:
            yield event


def _event(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
