"""Answer ``initialize`` before asyncio is imported.

A client's first message is almost always ``initialize``, and its answer is what
start-up time is measured by. This reads stdin up to the first newline with plain
``os.read`` (so nothing is lost in a buffer), answers an ``initialize`` there and
then, and hands whatever else was read to the asyncio transport. Any other first
line is simply handed over unanswered, to be served the normal way.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

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


def _try_initialize(settings: Settings, line: bytes) -> tuple[Any, bool]:
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None, False
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return None, False
    if "id" not in message:
        return None, False
    from ..errors import RpcError
    from ..handlers.initialize import handshake

    try:
        done = handshake(str(settings.codex_home), message.get("params"), "params" in message)
    except RpcError as error:
        _write({"error": error.to_wire(), "id": message["id"]})
        return None, True
    _write({"id": message["id"], "result": done.result})
    return done, True


def _write(message: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
    sys.stdout.buffer.flush()
