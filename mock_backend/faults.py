"""Faults a test injects into a route for its next N requests.

Latency, an HTTP status, a malformed body, a dropped connection: the failures a
real network and a real backend produce, on demand, so a client's error paths
can be exercised deterministically.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FaultKind(StrEnum):
    LATENCY = "latency"
    STATUS = "status"
    MALFORMED_BODY = "malformed_body"
    DROP_CONNECTION = "drop_connection"


class Fault(BaseModel):
    """Body of ``POST /_mock/faults``."""

    model_config = ConfigDict(extra="forbid")

    route: str = Field(
        min_length=1,
        max_length=200,
        description="A route id (see GET /_mock/routes) or a path such as "
        "/api/accounts/deviceauth/token.",
    )
    kind: FaultKind
    count: int = Field(default=1, ge=1, le=1_000_000, description="For the next N requests.")
    latency_ms: int = Field(
        default=0, ge=0, le=120_000, description="Delay before answering (latency)."
    )
    status: int | None = Field(
        default=None, ge=400, le=599, description="Status to answer with (status)."
    )

    @model_validator(mode="after")
    def _needs(self) -> Fault:
        if self.kind is FaultKind.STATUS and self.status is None:
            self.status = 500
        if self.kind is FaultKind.LATENCY and self.latency_ms == 0:
            raise ValueError("a latency fault needs latency_ms > 0")
        return self


class ActiveFault:
    __slots__ = ("fault", "remaining")

    def __init__(self, fault: Fault, route: str) -> None:
        self.fault = fault.model_copy(update={"route": route})
        self.remaining = fault.count

    def snapshot(self) -> dict[str, object]:
        return {**self.fault.model_dump(mode="json"), "remaining": self.remaining}


class FaultTable:
    __slots__ = ("_by_route",)

    def __init__(self) -> None:
        self._by_route: dict[str, list[ActiveFault]] = {}

    def add(self, fault: Fault, route: str) -> ActiveFault:
        active = ActiveFault(fault, route)
        self._by_route.setdefault(route, []).append(active)
        return active

    def take(self, route: str) -> Fault | None:
        """The fault for this request, if any, using up one of its N."""
        queue = self._by_route.get(route)
        if not queue:
            return None
        head = queue[0]
        head.remaining -= 1
        if head.remaining <= 0:
            queue.pop(0)
            if not queue:
                del self._by_route[route]
        return head.fault

    def snapshot(self) -> list[dict[str, object]]:
        return [a.snapshot() for faults in self._by_route.values() for a in faults]

    def clear(self) -> None:
        self._by_route.clear()
