"""The same JSON messages over a websocket: one text frame per message, one
connection state per client. Loopback addresses only, and no browser page but a
loopback one: a web page could otherwise drive the server (sign it in with its own
key) from any site the person visits.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import sys
import weakref
from urllib.parse import urlsplit

from ..connection import Connection
from ..jsonrpc import MAX_LINE
from ..settings import Settings

#: How long a close waits for the client's own close frame.
CLOSE_SECONDS = 2.0


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
    from aiohttp import WSCloseCode, WSMsgType, web

    open_sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    async def handle(request: web.Request) -> web.StreamResponse:
        if not origin_allowed(request.headers.get("Origin")):
            return web.Response(status=403, text="websocket refused: Origin is not loopback\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_LINE, timeout=CLOSE_SECONDS)
        await ws.prepare(request)
        open_sockets.add(ws)
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

    async def going_away(_app: web.Application) -> None:
        """At shutdown, close the open connections (1001), together: aiohttp would
        otherwise wait up to a minute for their handlers, and a stopped listener would
        linger. (0.163.0 drops them without a close frame; a client sees the end either way.)"""
        await asyncio.gather(
            *(
                ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
                for ws in list(open_sockets)
            ),
            return_exceptions=True,
        )

    app = web.Application()
    app.router.add_get("/", handle)
    app.on_shutdown.append(going_away)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    bound = server.sockets[0].getsockname()[1] if server is not None else port  # type: ignore[attr-defined]
    stop = asyncio.Event()
    _stop_on_signals(stop)
    print(f"listening on ws://{host}:{bound}", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _stop_on_signals(stop: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM end the listener cleanly (exit 0), as they end the real one.

    Set here rather than left to ``asyncio.run``'s own Ctrl-C handling, which a process
    started in a background job does not get: a shell without job control starts those
    with SIGINT ignored, Python then keeps it ignored, and the listener would never stop.
    """
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
