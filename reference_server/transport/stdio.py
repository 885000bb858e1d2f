"""JSON lines over stdin/stdout. stdout carries protocol only; logs go to stderr."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from ..connection import Connection
from ..settings import Settings

if TYPE_CHECKING:
    from ..handlers.initialize import Handshake

#: Lines longer than this are skipped (and logged), never fatal.
MAX_LINE = 64 * 1024 * 1024


def _write(message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


async def serve_stdio(
    settings: Settings, early: bytes = b"", handshake: Handshake | None = None
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
        connection.warm_up()
    try:
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as eof:
                if eof.partial.strip():
                    connection.receive(eof.partial)  # a last line without a newline
                break
            except asyncio.LimitOverrunError as overrun:
                await reader.readexactly(overrun.consumed)  # drop the oversized line
                continue
            if line.strip():
                connection.receive(line)
        # EOF: answer what was already asked, then stop.
        await connection.drain()
    finally:
        await connection.close()
