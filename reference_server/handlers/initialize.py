"""``initialize``: the handshake. ``userAgent`` reads ``name/version ...``, which the
official SDK parses."""

from __future__ import annotations

import platform
import sys
from typing import TYPE_CHECKING, Any

from ..errors import InvalidRequest
from ..params import parse
from ..protocol.initialize import InitializeParams, InitializeResponse
from . import Outcome

if TYPE_CHECKING:
    from ..connection import Connection

VERSION = "0.163.0"


async def initialize(conn: Connection, params: Any, present: bool) -> Outcome:
    if conn.initialized:
        raise InvalidRequest("Already initialized")
    parsed: InitializeParams = parse(InitializeParams, params, present)
    conn.initialized = True
    conn.client_name = parsed.client_info.name
    conn.experimental = bool(parsed.capabilities and parsed.capabilities.experimental_api)
    info = parsed.client_info
    system = f"{platform.system()} {platform.release()}; {platform.machine()}"
    agent = (
        f"{info.name}/{VERSION} ({system}) reference-server/python-{sys.version_info[0]}."
        f"{sys.version_info[1]} ({info.name}; {info.version})"
    )
    response = InitializeResponse(
        user_agent=agent,
        codex_home=str(conn.settings.codex_home),
        platform_family="unix" if sys.platform != "win32" else "windows",
        platform_os=sys.platform if sys.platform != "darwin" else "macos",
    )
    return Outcome(response.wire())
