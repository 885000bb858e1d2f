"""``initialize``: the handshake. ``userAgent`` reads ``name/version ...``, which the
official SDK parses."""

from __future__ import annotations

import sys

from ..context import Context, Reply
from ..protocol.initialize import InitializeParams, InitializeResponse
from ..release import user_agent


def handshake(codex_home: str, params: InitializeParams) -> InitializeResponse:
    """The answer itself, synchronous: stdio gives it before asyncio is even loaded."""
    info = params.client_info
    return InitializeResponse(
        user_agent=user_agent(info.name, info.version),
        codex_home=codex_home,
        platform_family="unix" if sys.platform != "win32" else "windows",
        platform_os=sys.platform if sys.platform != "darwin" else "macos",
    )


async def initialize(ctx: Context, params: InitializeParams) -> Reply[InitializeResponse]:
    """(A second ``initialize`` is refused by the connection before it gets here.)"""
    response = handshake(str(ctx.settings.codex_home), params)
    ctx.peer.adopt(params)
    return Reply(response)
