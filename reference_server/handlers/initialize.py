"""``initialize``: the handshake. ``userAgent`` reads ``name/version ...``, which the
official SDK parses."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from ..errors import InvalidRequest
from ..params import parse
from ..protocol.initialize import InitializeParams, InitializeResponse
from . import Outcome

if TYPE_CHECKING:
    from ..connection import Connection

VERSION = "0.163.0"


class Handshake:
    """What an accepted ``initialize`` leaves behind for the connection."""

    def __init__(self, result: Any, client_name: str, experimental: bool) -> None:
        self.result = result
        self.client_name = client_name
        self.experimental = experimental


def handshake(codex_home: str, params: Any, present: bool) -> Handshake:
    """The handshake itself, synchronous: stdio answers it before asyncio is even loaded."""
    parsed: InitializeParams = parse(InitializeParams, params, present)
    info = parsed.client_info
    uname = os.uname()
    agent = (
        f"{info.name}/{VERSION} ({uname.sysname} {uname.release}; {uname.machine}) "
        f"reference-server/python-{sys.version_info[0]}.{sys.version_info[1]} "
        f"({info.name}; {info.version})"
    )
    response = InitializeResponse(
        user_agent=agent,
        codex_home=codex_home,
        platform_family="unix" if sys.platform != "win32" else "windows",
        platform_os=sys.platform if sys.platform != "darwin" else "macos",
    )
    experimental = bool(parsed.capabilities and parsed.capabilities.experimental_api)
    return Handshake(response.wire(), info.name, experimental)


async def initialize(conn: Connection, params: Any, present: bool) -> Outcome:
    if conn.initialized:
        raise InvalidRequest("Already initialized")
    done = handshake(str(conn.settings.codex_home), params, present)
    conn.adopt(done)
    return Outcome(done.result)
