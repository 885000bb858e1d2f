"""What the backend saw: every request, parsed, with its answer and timing.

Kept per tenant within a count and a byte budget (:class:`BoundedLog`: oldest
entries drop first, and the count of dropped entries is reported) so that no
client, polling back to back or posting large bodies, can grow memory without
bound.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .bounded_log import BoundedLog

#: What an entry costs besides its body (the record, its strings), about.
ENTRY_OVERHEAD = 400


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
    __slots__ = ("_log", "_seq")

    def __init__(self, capacity: int, max_bytes: int) -> None:
        self._log: BoundedLog[JournalEntry] = BoundedLog(capacity, max_bytes)
        self._seq = 0

    @property
    def dropped(self) -> int:
        return self._log.dropped

    def open(self, body_size: int = 0, **fields: Any) -> JournalEntry:
        """A new entry; ``body_size`` estimates what keeping its body costs."""
        self._seq += 1
        entry = JournalEntry(seq=self._seq, **fields)
        self._log.append(entry, ENTRY_OVERHEAD + body_size)
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
            for e in self._log
            if e.seq > since
            and (route is None or e.route == route)
            and (user_code is None or e.user_code == user_code)
            and (flag is None or flag in e.flags)
        ]
        return found[-limit:] if limit else found

    def usage(self) -> dict[str, int]:
        return self._log.usage()

    def clear(self) -> None:
        self._log.clear()
