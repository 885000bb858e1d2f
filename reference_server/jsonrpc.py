"""JSON-RPC on the wire, in one place: lines in, lines out, errors mapped.

Every transport hands each line it reads to :func:`decode` and writes what
:func:`encode` makes; :func:`answering` is the one place where a Python exception
becomes an error answer. Upstream's habits are kept: no ``"jsonrpc"`` member, -32600
for everything a client got wrong, and no answer at all to a line that is not JSON or
not an object.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InternalError, InvalidRequest

if TYPE_CHECKING:
    from .protocol.base import WireModel

log = logging.getLogger("reference_server")

#: Lines (stdio) and messages (websocket) longer than this are skipped.
MAX_LINE = 64 * 1024 * 1024

INVALID_REQUEST = -32600
INTERNAL_ERROR = -32603

RequestId = Any
Message = dict[str, Any]

#: Sends a notification; its method is the one the registry lists for the model.
Notify = Callable[["WireModel"], None]
#: Sends a server request and awaits the client's ``result`` (``TimeoutError`` after the
#: given seconds; :class:`~reference_server.errors.ClientAnsweredError` for an error).
Ask = Callable[["WireModel", float], Awaitable[Any]]


@dataclass(frozen=True)
class Request:
    id: RequestId
    method: str
    params: Any
    #: Whether the message had a ``params`` member at all (its absence is its own error).
    has_params: bool


@dataclass(frozen=True)
class Response:
    """The client's answer to a server request."""

    id: RequestId
    result: Any
    error: Any | None


Incoming = Request | Response | None


def decode(line: bytes) -> Incoming:
    """What a line is: a request, a response, or ``None`` (no answer)."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        log.warning("ignoring a line that is not JSON (%d bytes)", len(line))
        return None
    if not isinstance(message, dict):
        return None
    if "method" not in message and "id" in message:
        return Response(message["id"], message.get("result"), message.get("error"))
    method = message.get("method")
    if not isinstance(method, str) or "id" not in message:
        return None  # client notifications (``initialized``) need no answer
    return Request(message["id"], method, message.get("params"), "params" in message)


def encode(message: Message) -> str:
    return json.dumps(message, separators=(",", ":"))


def error_answer(request_id: RequestId | None, exc: Exception) -> Message:
    """The one mapping from a Python exception to a JSON-RPC error answer."""
    if isinstance(exc, InvalidRequest):
        code, text = INVALID_REQUEST, str(exc)
    elif isinstance(exc, InternalError):
        code, text = INTERNAL_ERROR, str(exc)
    else:
        log.error("request %r failed", request_id, exc_info=exc)
        code, text = INTERNAL_ERROR, "internal error"
    return {"error": {"code": code, "message": text}, "id": request_id}


@dataclass
class Answer:
    """The answer to one request, as a line: its result, or the error it ended in."""

    request_id: RequestId | None
    line: str = ""
    ok: bool = False

    def succeed(self, result: Any) -> None:
        self.line = encode({"id": self.request_id, "result": result})
        self.ok = True


@contextmanager
def answering(request_id: RequestId | None) -> Iterator[Answer]:
    """``with answering(id) as answer: ... answer.succeed(result)``; then send ``answer.line``.

    Whatever the block raises (short of cancellation) becomes the error answer instead.
    """
    answer = Answer(request_id)
    try:
        yield answer
    except Exception as exc:
        answer.line = encode(error_answer(request_id, exc))
        answer.ok = False
