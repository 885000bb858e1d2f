"""Typed protocol errors. Handlers raise these; one place (the dispatcher) turns them
into JSON-RPC error objects, with upstream's codes and texts."""

from __future__ import annotations


class RpcError(Exception):
    code = -32603

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_wire(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class InvalidRequest(RpcError):
    """-32600: upstream answers bad params, unknown methods and refusals with it."""

    code = -32600


class InternalError(RpcError):
    code = -32603
