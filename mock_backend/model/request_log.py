"""What the model saw: every model request of a tenant, decoded.

Kept within a count and a byte budget (:class:`BoundedLog`: a real turn's
input is ~70 KB, mostly codex's own prompt, and a body may be 16 MB), newest
last, the oldest dropped first and counted. Over the websocket a request may carry only the new
items and a ``previous_response_id``; ``full_input`` then holds the whole
conversation the mock resolved, so a test reads the same thing on both
transports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..bounded_log import BoundedLog
from .auth_seen import AuthSeen

Transport = Literal["http", "websocket"]
#: What a record costs besides its input (the record, auth, metadata, output), about.
RECORD_OVERHEAD = 2000


@dataclass(slots=True)
class ModelRequestRecord:
    seq: int
    at: float
    transport: Transport
    kind: Literal["turn", "prewarm", "rejected"]
    model: str | None = None
    input: list[Any] = field(default_factory=list)
    #: The names of the tools the request offered at its top level.
    tools: list[str] = field(default_factory=list)
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
            "tools": self.tools,
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
    __slots__ = ("_log", "_seq")

    def __init__(self, capacity: int, max_bytes: int) -> None:
        self._log: BoundedLog[ModelRequestRecord] = BoundedLog(capacity, max_bytes)
        self._seq = 0

    @property
    def dropped(self) -> int:
        return self._log.dropped

    def add(self, input_size: int = 0, **fields: Any) -> ModelRequestRecord:
        """A new record; ``input_size`` estimates what keeping its input costs."""
        self._seq += 1
        record = ModelRequestRecord(seq=self._seq, **fields)
        self._log.append(record, RECORD_OVERHEAD + input_size)
        return record

    def query(self, since: int = 0, limit: int | None = None) -> list[ModelRequestRecord]:
        found = [r for r in self._log if r.seq > since]
        return found[-limit:] if limit else found

    def usage(self) -> dict[str, int]:
        return self._log.usage()

    def clear(self) -> None:
        self._log.clear()
