"""A wall clock that tests can move forward.

Device codes expire after 15 minutes and pending-for-T scripts wait on time; a
test must not wait minutes for real, so every deadline in the backend reads this
clock, which is real time plus an offset the control API can advance.
"""

from __future__ import annotations

import time


class Clock:
    """Real time plus an adjustable offset, in seconds since the epoch."""

    __slots__ = ("_offset",)

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = offset

    def now(self) -> float:
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back: tokens already minted keep their order)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        return self.now()
