"""A tenant's scripted model responses, first in first out.

A response with ``when`` waits for a request whose last user message contains
its text; responses without ``when`` match any request. A request takes the
first matching response in the queue; ``repeat`` serves one response N times.
"""

from __future__ import annotations

from typing import Any

from .forms import ScriptedResponse


class _Entry:
    __slots__ = ("remaining", "script")

    def __init__(self, script: ScriptedResponse) -> None:
        self.script = script
        self.remaining = script.repeat


class ResponseQueue:
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def append(self, script: ScriptedResponse) -> int:
        """Queue one response; its 1-based position in the queue."""
        self._entries.append(_Entry(script))
        return len(self._entries)

    def clear(self) -> int:
        dropped = len(self._entries)
        self._entries.clear()
        return dropped

    def take(self, user_text: str) -> ScriptedResponse | None:
        for index, entry in enumerate(self._entries):
            when = entry.script.when
            if when is not None and when.input_contains not in user_text:
                continue
            entry.remaining -= 1
            if entry.remaining <= 0:
                del self._entries[index]
            return entry.script
        return None

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                **e.script.model_dump(mode="json", exclude_defaults=True),
                "remaining": e.remaining,
            }
            for e in self._entries
        ]
