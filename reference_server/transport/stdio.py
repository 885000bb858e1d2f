"""JSON lines over stdin/stdout. stdout carries protocol only; logs go to stderr."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator

from ..connection import Connection
from ..jsonrpc import MAX_LINE
from ..protocol.initialize import InitializeParams
from ..settings import Settings

log = logging.getLogger("reference_server")


def _write(line: str) -> None:
    sys.stdout.buffer.write(line.encode() + b"\n")
    sys.stdout.buffer.flush()


async def serve_stdio(
    settings: Settings, early: bytes = b"", handshake: InitializeParams | None = None
) -> None:
    """Serve stdin/stdout. ``early`` is input already read by the fast handshake."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    if early:
        reader.feed_data(early)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    connection = Connection(settings, _write)
    if handshake is not None:
        connection.adopt(handshake)
    try:
        async for line in _lines(reader):
            connection.receive(line)
        # EOF: answer what was already asked, then stop.
        await connection.drain()
    finally:
        await connection.close()


async def _lines(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """Non-blank lines; one longer than the limit is skipped whole, up to its newline."""
    skipping = False
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as eof:
            if eof.partial.strip() and not skipping:
                yield eof.partial  # a last line without a newline
            return
        except asyncio.LimitOverrunError as overrun:
            if not skipping:
                log.warning("skipping a line longer than %d bytes", MAX_LINE)
            skipping = True
            await reader.readexactly(overrun.consumed)
            continue
        if skipping:
            skipping = False  # the oversized line's tail
        elif line.strip():
            yield line
