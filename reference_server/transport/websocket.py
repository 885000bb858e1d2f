"""The same JSON messages over a websocket: one text frame per message, one
connection state per client. Loopback addresses only, and no browser page but a
loopback one: a web page could otherwise drive the server (sign it in with its own
key) from any site the person visits.
"""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from urllib.parse import urlsplit

from ..connection import Connection
from ..jsonrpc import MAX_LINE
from ..settings import Settings


def parse_listen(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname is None or parts.port is None:
        raise ValueError(f"--listen expects ws://HOST:PORT, got {url!r}")
    host = parts.hostname
    if not _loopback(host):
        raise ValueError(f"refusing to listen on {host}: loopback addresses only")
    return host, parts.port


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_allowed(origin: str | None) -> bool:
    """No ``Origin`` (not a browser), or a page served from this machine's loopback."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and _loopback(parts.hostname or "")


async def serve_websocket(settings: Settings, host: str, port: int) -> None:
    from aiohttp import WSMsgType, web

    async def handle(request: web.Request) -> web.StreamResponse:
        if not origin_allowed(request.headers.get("Origin")):
            return web.Response(status=403, text="websocket refused: Origin is not loopback\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_LINE)
        await ws.prepare(request)
        outbox: asyncio.Queue[str | None] = asyncio.Queue()

        async def writer() -> None:
            while (line := await outbox.get()) is not None:
                await ws.send_str(line)

        writing = asyncio.ensure_future(writer())
        connection = Connection(settings, outbox.put_nowait)
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    connection.receive(frame.data.encode())
            await connection.drain()
        finally:
            await connection.close()
            outbox.put_nowait(None)
            await writing
        return ws

    app = web.Application()
    app.router.add_get("/", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    bound = server.sockets[0].getsockname()[1] if server is not None else port  # type: ignore[attr-defined]
    print(f"listening on ws://{host}:{bound}", file=sys.stderr, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
