"""What the backend saw: every request, parsed, with its answer and timing.

Kept per tenant in a ring buffer (oldest entries drop first, and the count of
dropped entries is reported) so that a client polling back to back with an
interval of 0 cannot grow memory without bound.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_CAPACITY = 5000


@dataclass(slots=True)
class JournalEntry:
    seq: int
    at: float
    route: str
    method: str
    path: str
    host: str
    via: str
    status: int = 0
    duration_ms: float = 0.0
    body: Any = None
    user_code: str | None = None
    account_id: str | None = None
    flags: list[str] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    __slots__ = ("_entries", "_seq", "dropped")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._seq = 0
        self.dropped = 0

    def open(self, **fields: Any) -> JournalEntry:
        self._seq += 1
        entry = JournalEntry(seq=self._seq, **fields)
        if len(self._entries) == self._entries.maxlen:
            self.dropped += 1
        self._entries.append(entry)
        return entry

    def query(
        self,
        since: int = 0,
        route: str | None = None,
        user_code: str | None = None,
        flag: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        found = [
            e
            for e in self._entries
            if e.seq > since
            and (route is None or e.route == route)
            and (user_code is None or e.user_code == user_code)
            and (flag is None or flag in e.flags)
        ]
        return found[-limit:] if limit else found

    def clear(self) -> None:
        self._entries.clear()
        self.dropped = 0
