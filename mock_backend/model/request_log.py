"""What the model saw: every model request of a tenant, decoded.

Kept in a ring buffer (a real turn's input is ~70 KB, mostly codex's own
prompt), newest last. Over the websocket a request may carry only the new
items and a ``previous_response_id``; ``full_input`` then holds the whole
conversation the mock resolved, so a test reads the same thing on both
transports.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from .auth_check import AuthSeen

Transport = Literal["http", "websocket"]
DEFAULT_CAPACITY = 200


@dataclass(slots=True)
class ModelRequestRecord:
    seq: int
    at: float
    transport: Transport
    kind: Literal["turn", "prewarm", "rejected"]
    model: str | None = None
    input: list[Any] = field(default_factory=list)
    full_input: list[Any] | None = None
    previous_response_id: str | None = None
    response_id: str | None = None
    answered_by: Literal["script", "default", "prewarm", "none"] = "none"
    status: int = 200
    output: list[dict[str, Any]] = field(default_factory=list)
    auth: AuthSeen | None = None
    error: str | None = None
    metadata: dict[str, Any] | None = None
    journal_seq: int | None = None

    def conversation(self) -> list[Any]:
        """The whole input the model answered (history included)."""
        return self.full_input if self.full_input is not None else self.input

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at,
            "transport": self.transport,
            "kind": self.kind,
            "model": self.model,
            "previous_response_id": self.previous_response_id,
            "response_id": self.response_id,
            "answered_by": self.answered_by,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "auth": self.auth.to_json() if self.auth else None,
            "error": self.error,
            "metadata": self.metadata,
            "journal_seq": self.journal_seq,
        }
        if self.full_input is not None:
            out["full_input"] = self.full_input
        return out


class ModelRequestLog:
    __slots__ = ("_records", "_seq", "dropped")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._records: deque[ModelRequestRecord] = deque(maxlen=capacity)
        self._seq = 0
        self.dropped = 0

    def add(self, **fields: Any) -> ModelRequestRecord:
        self._seq += 1
        record = ModelRequestRecord(seq=self._seq, **fields)
        if len(self._records) == self._records.maxlen:
            self.dropped += 1
        self._records.append(record)
        return record

    def query(self, since: int = 0, limit: int | None = None) -> list[ModelRequestRecord]:
        found = [r for r in self._records if r.seq > since]
        return found[-limit:] if limit else found

    def clear(self) -> None:
        self._records.clear()
        self.dropped = 0
