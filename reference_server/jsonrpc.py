"""JSON-RPC on the wire, in one place: lines in (within limits), lines out, errors mapped.

Every transport hands each line it reads to :func:`decode` and writes what
:func:`encode` makes; :func:`answering` is the one place where a Python exception
becomes an error answer. Upstream's habits are kept: no ``"jsonrpc"`` member, -32600
for everything a client got wrong, and no answer at all to a line that is not JSON or
not an object.

Beyond upstream, which drops such lines without a word: a message nested deeper than
:data:`MAX_DEPTH`, a number longer than :data:`MAX_NUMBER_LENGTH` characters, or a
request id that is neither a string nor a 64-bit integer is answered with a -32600
error naming the rule, carrying the request's id when it can be read and ``null``
otherwise (always for a client's answer to a server request: its id is the server's own
numbering, not a request the client is waiting on). Nothing leaves as anything but JSON
(``NaN`` is refused on the way out).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InternalError, InvalidRequest

if TYPE_CHECKING:
    from .protocol.base import WireModel

log = logging.getLogger("reference_server")

#: Lines (stdio) and messages (websocket) longer than this are skipped whole.
MAX_LINE = 64 * 1024 * 1024
#: Arrays and objects nested deeper than this are refused (serde_json's own limit).
MAX_DEPTH = 128
#: Number literals longer than this are refused (an int64 needs 20, a double 24).
MAX_NUMBER_LENGTH = 64
#: How far into a line that cannot be parsed whole the request id is looked for.
ID_SEARCH_TOKENS = 100_000

INVALID_REQUEST = -32600
INTERNAL_ERROR = -32603
INT64 = range(-(2**63), 2**63)

TOO_DEEP = f"Invalid request: nested deeper than {MAX_DEPTH} levels (the limit)"
NUMBER_TOO_LONG = (
    f"Invalid request: a number longer than {MAX_NUMBER_LENGTH} characters (the limit)"
)
BAD_ID = "Invalid request: a request id must be a string or a 64-bit integer"

RequestId = str | int
Message = dict[str, Any]

#: Sends a notification; its method is the one the registry lists for the model.
Notify = Callable[["WireModel"], None]
#: Sends a server request and awaits the client's ``result`` (``TimeoutError`` after the
#: given seconds, if any; :class:`~reference_server.errors.ClientAnsweredError` for an error).
Ask = Callable[["WireModel", float | None], Awaitable[Any]]


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


@dataclass(frozen=True)
class Refused:
    """A line answered with an error before any handler sees it."""

    id: RequestId | None
    reason: InvalidRequest


Incoming = Request | Response | Refused | None


class _NumberTooLong(ValueError):
    pass


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _NumberTooLong(text[:20])
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _NumberTooLong(text[:20])
    return float(text)


def decode(line: bytes) -> Incoming:
    """What a line is: a request, a response, a line to refuse, or ``None`` (no answer)."""
    try:
        message = json.loads(line, parse_int=_int, parse_float=_float)
    except _NumberTooLong:
        return Refused(_find_id(line), InvalidRequest(NUMBER_TOO_LONG))
    except RecursionError:
        return Refused(_find_id(line), InvalidRequest(TOO_DEEP))
    except (ValueError, UnicodeDecodeError):
        log.warning("ignoring a line that is not JSON (%d bytes)", len(line))
        return None
    if _may_be_too_deep(line) and _deeper_than(message, MAX_DEPTH):
        request = isinstance(message, dict) and isinstance(message.get("method"), str)
        found = message.get("id") if request else None
        return Refused(found if valid_id(found) else None, InvalidRequest(TOO_DEEP))
    if not isinstance(message, dict):
        return None
    if "id" in message and not valid_id(message["id"]):
        return Refused(None, InvalidRequest(BAD_ID))
    if "method" not in message and "id" in message:
        return Response(message["id"], message.get("result"), message.get("error"))
    method = message.get("method")
    if not isinstance(method, str) or "id" not in message:
        return None  # client notifications (``initialized``) need no answer
    return Request(message["id"], method, message.get("params"), "params" in message)


def valid_id(value: object) -> bool:
    """A string or an int64, as upstream's ``RequestId``; never a bool, float or null."""
    if isinstance(value, bool):
        return False
    return isinstance(value, str) or (isinstance(value, int) and value in INT64)


def _may_be_too_deep(line: bytes) -> bool:
    """Each level opens with ``[`` or ``{``: a line with no more of them than the limit
    cannot be too deep, and is not walked (counting them is far cheaper than the walk)."""
    return line.count(b"[") + line.count(b"{") > MAX_DEPTH


def _deeper_than(value: object, limit: int) -> bool:
    """Walked without recursion, so no input can exhaust the stack."""
    level: list[tuple[object, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in children)
    return False


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')
_SPACE = re.compile(r"\s*")
_DECODER = json.JSONDecoder()


def _find_id(line: bytes) -> RequestId | None:
    """The id of a request that cannot be parsed whole, as its top-level members say it.

    Only beside a string ``"method"``: a client's answer to a server request carries an id
    of the server's numbering, and an error echoing it would read as the answer to the
    client's own request of that id.
    """
    text = line.decode("utf-8", "replace")
    depth = 0
    key: str | None = None
    found: RequestId | None = None
    is_request = False
    for count, match in enumerate(_TOKEN.finditer(text)):
        token = match.group()
        if count > ID_SEARCH_TOKENS:
            return None
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
        elif token.startswith('"'):
            key = token if depth == 1 else None
            continue
        elif token == ":" and depth == 1 and key == '"method"':
            is_request = text.startswith('"', _value_start(text, match.end()))
        elif token == ":" and depth == 1 and key == '"id"' and found is None:
            found = _id_at(text, _value_start(text, match.end()))
        if found is not None and is_request:
            return found
        key = None
    return None


def _value_start(text: str, after: int) -> int:
    space = _SPACE.match(text, after)
    return space.end() if space else after


def _id_at(text: str, start: int) -> RequestId | None:
    try:
        value, _ = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    return value if valid_id(value) else None


def encode(message: Message) -> str:
    """One line of JSON; ``ValueError`` for what JSON cannot carry (``NaN``, ``Infinity``)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


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


def refusal(refused: Refused) -> str:
    return encode(error_answer(refused.id, refused.reason))
