"""Records kept newest last within a count and a byte budget, the oldest dropped first.

The journal and the model's request log keep what clients sent, and clients can
send a lot: one tenant polling back to back, or posting 64 KB bodies, once grew
the process by 290 MB. Both keep their records here: at most ``max_entries``, and
at most ``max_bytes`` of what keeping them costs (each record's size is estimated
when it is added, :func:`mock_backend.json_limits.kept_size`), so a tenant's memory
is bounded whatever its clients do. The newest record is always kept, so one
request's worth (bounded by the body size limits) may exceed the budget. What was
dropped is counted and reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedLog(Generic[T]):
    __slots__ = ("_items", "dropped", "kept_bytes", "max_bytes", "max_entries")

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: deque[tuple[T, int]] = deque()
        self.kept_bytes = 0
        #: Records dropped to stay within the limits since the last clear.
        self.dropped = 0

    def append(self, item: T, size: int) -> None:
        self._items.append((item, size))
        self.kept_bytes += size
        while len(self._items) > 1 and (
            len(self._items) > self.max_entries or self.kept_bytes > self.max_bytes
        ):
            _, gone = self._items.popleft()
            self.kept_bytes -= gone
            self.dropped += 1

    def __iter__(self) -> Iterator[T]:
        return (item for item, _ in self._items)

    def clear(self) -> None:
        self._items.clear()
        self.kept_bytes = 0
        self.dropped = 0

    def usage(self) -> dict[str, int]:
        """What the control API reports next to the records."""
        return {
            "kept": len(self._items),
            "dropped": self.dropped,
            "kept_bytes": self.kept_bytes,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
        }
