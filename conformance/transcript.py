"""What went each way, line by line, with times: what a failure shows to say why.

Every line a session sends or receives is recorded, bounded so that a server that
floods its output cannot exhaust the kit's memory. A hang or a crash shows the last
messages and the server's stderr tail; a failed scenario carries its last lines.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from .results import Direction
from .transport import ServerProcess

MAX_RECORDS = 5000


@dataclass
class Record:
    direction: Direction
    at: float
    raw: str
    label: str | None = None

    def short(self, width: int = 240) -> str:
        arrow = "→" if self.direction == "out" else "←"
        note = f"  ({self.label})" if self.label else ""
        text = self.raw if len(self.raw) <= width else self.raw[: width - 1] + "…"
        return f"{self.at:7.3f}s {arrow} {text}{note}"


class Transcript:
    """One conversation's lines, times counted from its start."""

    def __init__(self) -> None:
        self.records: deque[Record] = deque(maxlen=MAX_RECORDS)
        self.count = 0
        self._started = time.monotonic()

    def add(self, direction: Direction, raw: str, label: str | None = None) -> None:
        self.count += 1
        self.records.append(Record(direction, time.monotonic() - self._started, raw, label))

    def context(self, process: ServerProcess | None) -> str:
        """The last messages and the server's stderr tail, under a failure's headline."""
        last = "\n".join("    " + r.short() for r in list(self.records)[-8:]) or "    (none)"
        lines = process.stderr_tail() if process else ["(a server the kit did not start)"]
        tail = "\n".join("    " + line for line in lines) or "    (empty)"
        return f"  last messages:\n{last}\n  stderr tail:\n{tail}"


def last_lines(conversations: list[Iterable[Record]], lines: int = 40) -> list[str]:
    """The last lines of a scenario's conversations, server by server when it restarted."""
    found: list[str] = []
    for number, records in enumerate(conversations, start=1):
        if len(conversations) > 1:
            found.append(f"-- server {number} --")
        found.extend(record.short(200) for record in records)
    return found[-lines:]
