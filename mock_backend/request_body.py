"""A request's body, read once for every route: in time, within size and parse limits.

The middleware reads the body before the route runs, so a route reads
``body(request)`` instead of parsing (and erroring) on its own. What the route
would refuse anyway (malformed JSON, a wrong content type, a body over the size
limit, a coding that does not decode) is handed to it as an exception, raised
when it reads the body, so a route that ignores bodies keeps ignoring them.
Bodies sent with a ``Content-Encoding`` are decoded here
(:mod:`mock_backend.content_coding`). What no route may see is refused
here, before any route runs: a body beyond the parse limits
(:mod:`mock_backend.json_limits`), and a body that has not arrived whole within
``body_timeout`` seconds (a client that sends half a body and waits would hold
the request open forever: aiohttp sets no read timeout). The time an answer takes
to stream is not limited.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import content_coding
from .config import BackendConfig
from .http_io import parse_body
from .json_limits import JsonLimitError, kept_size
from .oauth_errors import OAuthError
from .refusals import Refusal
from .routes import Route

#: Characters of an unparsed body the journal keeps.
JOURNAL_UNPARSED_CHARS = 2000


@dataclass(slots=True)
class RequestBody:
    raw: bytes = b""
    #: The parsed value, None without a body, or the exception a route gets on reading it.
    parsed: Any = None
    #: Answered at once, before the route runs.
    refusal: Refusal | None = None
    #: The body was not read whole (too large, or not decodable): the connection cannot
    #: carry another request, so the answer says ``Connection: close``.
    unread: bool = False

    def for_journal(self) -> Any:
        """What the journal shows: the parsed body, or the start of the raw one."""
        if isinstance(self.parsed, Exception) or self.parsed is None:
            if not self.raw:
                return None
            return {"unparsed": self.raw[:JOURNAL_UNPARSED_CHARS].decode("utf-8", "replace")}
        return self.parsed

    def kept_size(self) -> int:
        """What keeping :meth:`for_journal` costs, about (journal budgets count it)."""
        if isinstance(self.parsed, Exception) or self.parsed is None:
            return min(len(self.raw), JOURNAL_UNPARSED_CHARS * 4)
        return kept_size(self.raw)


async def read_body(
    request: web.Request, route: Route | None, config: BackendConfig
) -> RequestBody:
    result = RequestBody()
    if not request.body_exists or (route is not None and route.raw_body):
        return result
    try:
        result.raw = await read_decoded(request, config.body_timeout, config.max_body_bytes)
    except SlowBody as slow:
        result.refusal = slow.refusal
        return result
    except BodyTooLarge as exc:
        result.unread = True
        result.parsed = OAuthError("invalid_request", str(exc), status=413)
        return result
    except content_coding.UndecodableBody as exc:
        result.parsed = OAuthError("invalid_request", str(exc), status=exc.status)
        return result
    if not result.raw:
        return result
    try:
        result.parsed = parse_body(result.raw, request.content_type)
    except JsonLimitError as exc:
        result.refusal = Refusal(400, "invalid_request", f"request body refused: {exc}")
    except OAuthError as error:
        result.parsed = error
    return result


class SlowBody(Exception):
    """The body did not arrive whole in time; ``refusal`` is the 408 that says so."""

    def __init__(self, seconds: float) -> None:
        self.refusal = slow_body(seconds)
        super().__init__(self.refusal.description)


class BodyTooLarge(ValueError):
    """More than the limit was sent (413); the rest was left unread."""


async def read_decoded(request: web.Request, seconds: float, limit: int) -> bytes:
    """The body without its ``Content-Encoding``, at most ``limit`` bytes as sent and once
    decoded: the one place a body is read, for the middleware and for the routes that read
    their own (the model endpoint, whose limit is larger).

    Raises :class:`SlowBody` when it has not arrived whole within ``seconds`` (aiohttp
    sets no read timeout), :class:`BodyTooLarge`, or
    :class:`~mock_backend.content_coding.UndecodableBody`."""
    chunks: list[bytes] = []
    size = 0
    try:
        # A body that came whole with the head has nothing to wait for: no timer.
        async with asyncio.timeout(None if request.content.is_eof() else seconds):
            async for chunk in request.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(f"request body is larger than {limit} bytes")
                chunks.append(chunk)
    except TimeoutError as exc:
        raise SlowBody(seconds) from exc
    return content_coding.decode(b"".join(chunks), request.headers.get("Content-Encoding"), limit)


def slow_body(seconds: float) -> Refusal:
    """408 for a body that did not arrive in time; the connection closes after it (the
    rest of the body is not read, so the connection cannot carry another request)."""
    return Refusal(
        408,
        "request_timeout",
        f"request body not received whole within {seconds:g} s (body_timeout)",
        close=True,
    )
