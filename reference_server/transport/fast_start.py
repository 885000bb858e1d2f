"""Answer ``initialize`` before asyncio is imported.

A client's first message is almost always ``initialize``, and its answer is what
start-up time is measured by. This reads stdin up to the first newline with plain
``os.read`` (so nothing is lost in a buffer), answers an ``initialize`` there and
then, and hands whatever else was read to the asyncio transport. Any other first
line is handed over unanswered, to be served the normal way. The line is decoded and
the answer made by the same code as every other (:mod:`reference_server.jsonrpc`).
"""

from __future__ import annotations

import os
import sys

from ..jsonrpc import Request, answering, decode
from ..protocol.initialize import InitializeParams
from ..settings import Settings

CHUNK = 65536
LIMIT = 1024 * 1024


def read_first_line() -> bytes:
    """Bytes from stdin up to and including the first newline (or EOF, or 1 MiB)."""
    data = b""
    while b"\n" not in data and len(data) < LIMIT:
        chunk = os.read(0, CHUNK)
        if not chunk:
            break
        data += chunk
    return data


def run(settings: Settings) -> None:
    early = read_first_line()
    line, sep, rest = early.partition(b"\n")
    handshake = None
    answered = False
    if sep:
        handshake, answered = _try_initialize(settings, line)
    import asyncio

    from .stdio import serve_stdio

    pending = rest if answered else early
    asyncio.run(serve_stdio(settings, pending, handshake))


def _try_initialize(settings: Settings, line: bytes) -> tuple[InitializeParams | None, bool]:
    """The handshake, if the line asks for one: what it said, and whether it was answered."""
    request = decode(line) if b"initialize" in line else None
    if not isinstance(request, Request) or request.method != "initialize":
        return None, False
    from ..handlers.initialize import handshake
    from ..params import parse

    adopted = None
    with answering(request.id) as answer:
        params: InitializeParams = parse(InitializeParams, request.params, request.has_params)
        answer.succeed(handshake(str(settings.codex_home), params).wire())
        adopted = params
    sys.stdout.buffer.write(answer.line.encode() + b"\n")
    sys.stdout.buffer.flush()
    return adopted, True
