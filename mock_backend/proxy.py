"""An HTTPS CONNECT proxy on loopback that only ever talks to the mock backend.

For ``auth.openai.com`` and ``chatgpt.com`` it answers the CONNECT, terminates
TLS with the test CA's certificate and relays the decrypted HTTP to the mock's
own loopback listener. Every other host is refused with 403 and recorded in the
tenant's journal. It never opens a connection to any address but the mock's own
port: there is no code path that resolves or dials the requested host.

The tenant comes from the proxy credentials (``http://TENANT:mock@127.0.0.1:PORT``),
which clients send as ``Proxy-Authorization`` on every CONNECT.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import ssl
from collections.abc import Callable

from .tenants import DEFAULT_TENANT

log = logging.getLogger("mock_backend.proxy")


class _QuietTlsHalfClose(logging.Filter):
    """asyncio warns when a client half-closes a tunnel after ``start_tls`` (its stream
    protocol asks to keep the write side open, which TLS cannot); nothing is wrong."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "eof_received() has no effect when using ssl" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_QuietTlsHalfClose())

HEAD_LIMIT = 16 * 1024
HEAD_TIMEOUT = 10.0

#: (tenant, method, target, host, reason) -> None: records a refusal in the journal.
RefusalSink = Callable[[str, str, str, str, str], None]


def tenant_from_headers(headers: dict[str, str]) -> str:
    value = headers.get("proxy-authorization", "")
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return DEFAULT_TENANT
    try:
        user = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return DEFAULT_TENANT
    return user or DEFAULT_TENANT


class ConnectProxy:
    def __init__(
        self,
        host: str,
        allowed_hosts: frozenset[str],
        tls: ssl.SSLContext,
        app_port: int,
        links: dict[int, tuple[str, str]],
        on_refused: RefusalSink,
        tenant_exists: Callable[[str], bool],
    ) -> None:
        self.host = host
        self.allowed_hosts = allowed_hosts
        self.tls = tls
        self.app_port = app_port
        self.links = links
        self.on_refused = on_refused
        self.tenant_exists = tenant_exists
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._accept, self.host, port, limit=HEAD_LIMIT)
        sock = self._server.sockets[0]
        bound: int = sock.getsockname()[1]
        return bound

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            # Connections accepted just before close start their task a moment later:
            # sweep until none is left, so no task outlives the loop.
            for _ in range(5):
                await asyncio.sleep(0)
                if not self._tasks:
                    break
                for task in list(self._tasks):
                    task.cancel()
                for task in list(self._tasks):
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass
        except asyncio.LimitOverrunError:
            await _reply(writer, 431, "Request Header Fields Too Large")
        except asyncio.CancelledError:
            # Shutdown: end quietly (asyncio logs a cancelled client task as an error).
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            await _reply(writer, 400, "Bad Request")
            return
        method, target, _ = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        tenant = tenant_from_headers(headers)
        if not self.tenant_exists(tenant):
            await _reply(
                writer,
                403,
                "Forbidden",
                f"unknown tenant {tenant[:64]!r}: create it first with the control API "
                "(POST /_mock/tenants)\n",
            )
            return
        if method.upper() != "CONNECT":
            host = headers.get("host", target)
            self.on_refused(tenant, method, target, host, "only CONNECT to intercepted hosts")
            await _reply(writer, 403, "Forbidden", "the mock proxy only tunnels to the mock\n")
            return
        host, _, port = target.rpartition(":")
        host = host.strip("[]").lower()
        if host not in self.allowed_hosts or port != "443":
            self.on_refused(tenant, method, target, host, "host is not intercepted")
            await _reply(writer, 403, "Forbidden", f"{target} is not reachable through the mock\n")
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await writer.start_tls(self.tls)
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.app_port)
        local_port = up_writer.get_extra_info("sockname")[1]
        self.links[local_port] = (tenant, host)
        try:
            await _relay(reader, writer, up_reader, up_writer)
        finally:
            self.links.pop(local_port, None)
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()


async def _reply(writer: asyncio.StreamWriter, status: int, reason: str, text: str = "") -> None:
    body = text.encode()
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if writer.can_write_eof():
                writer.write_eof()


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    """Bytes both ways until one side is done.

    When the mock closes its side (an answer with ``Connection: close``, a stream cut on
    purpose), the client must see the close at once: a TLS tunnel cannot pass a half-close
    on, so the tunnel ends with it. When the client stops sending first, the mock may
    still be answering: that direction gets a few seconds to finish.
    """
    upstream = asyncio.ensure_future(_pipe(client_reader, up_writer))
    downstream = asyncio.ensure_future(_pipe(up_reader, client_writer))
    try:
        done, _ = await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        if downstream not in done:
            await asyncio.wait({downstream}, timeout=5)
    finally:
        for task in (upstream, downstream):
            task.cancel()
        for task in (upstream, downstream):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
