"""Byte transports to a server under test: a child process on stdio, or a websocket.

A transport only moves lines: it puts each line (or websocket text frame) the server
sends into ``inbox`` as text, and ``CLOSED`` when the stream ends. Parsing, matching
and judging happen in :mod:`conformance.session`. Whatever happens, ``close()`` leaves
no process behind: SIGTERM to the process group, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final, Protocol


class _Closed:
    def __repr__(self) -> str:
        return "CLOSED"


CLOSED: Final = _Closed()
Incoming = str | _Closed


class TransportError(RuntimeError):
    """The server could not be started or reached."""


class Transport(Protocol):
    inbox: queue.Queue[Incoming]

    @property
    def process(self) -> ServerProcess | None:
        """The server the kit started for this transport (None: one the user runs)."""
        ...

    def send_line(self, text: str) -> None: ...

    def close(self) -> None: ...


class ServerProcess:
    """A server process of its own session, with its stderr kept (a bounded tail)."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        cwd: Path,
        stdout: int | None = subprocess.PIPE,
        term_grace: float = 3.0,
    ) -> None:
        self.argv = list(argv)
        self.term_grace = term_grace
        self._stderr: deque[str] = deque(maxlen=200)
        with _interrupts_held():
            try:
                self.proc = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.PIPE,
                    stdout=stdout,
                    stderr=subprocess.PIPE,
                    env=env,
                    cwd=cwd,
                    start_new_session=True,
                )
            except OSError as exc:
                raise TransportError(f"cannot start {self.argv[0]!r}: {exc}") from exc
            self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
            self._stderr_reader.start()
            _LIVE.add(self)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        with contextlib.suppress(OSError, ValueError):
            for raw in self.proc.stderr:
                self._stderr.append(raw.decode("utf-8", "replace").rstrip())

    def stderr_tail(self, lines: int = 15) -> list[str]:
        return list(self._stderr)[-lines:]

    def exit_code(self) -> int | None:
        return self.proc.poll()

    def describe_exit(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "still running"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by {signal.Signals(-code).name}"
        return f"exit code {code}"

    def stop(self) -> None:
        """End the whole process group: SIGTERM, then SIGKILL after the grace period.

        The SIGKILL comes whatever interrupts the grace period (a KeyboardInterrupt from
        Ctrl-C or the kit's SIGTERM handler): a server that ignores SIGTERM must not
        outlive a run stopped while it was being stopped.
        """
        try:
            stop_group(self.proc, self.term_grace)
        finally:
            _LIVE.discard(self)
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        self._stderr_reader.join(2)
        _close_after(self._stderr_reader, self.proc.stderr)


def stop_group(proc: subprocess.Popen[Any], grace: float, kill_wait: float = 5.0) -> None:
    """End ``proc``'s whole process group (started with ``start_new_session``): SIGTERM,
    then SIGKILL after ``grace`` seconds.

    The SIGKILL comes whatever interrupts the grace period (a KeyboardInterrupt), and even
    when the leader has exited: children it left in its group go too.
    """
    try:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(grace)
    finally:
        _signal_group(proc, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(kill_wait)


def _signal_group(proc: subprocess.Popen[Any], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while a server is started and registered, then deliver them.

    A KeyboardInterrupt raised inside ``Popen`` (after the fork, while it waits to hear
    that the exec worked) or before the process is in ``_LIVE`` would leave a server that
    nothing stops: seen as a relay alive after an interrupted ``-n 2`` run under load. The
    signals caught meanwhile are raised again, to the handlers that were there, once the
    server can be stopped. Only the main thread receives signals; elsewhere nothing is held.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for held in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(held) is not None:  # None: set outside Python, cannot be put back
            previous[held] = signal.signal(held, lambda n, _f: caught.append(n))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in caught:
            signal.raise_signal(number)


#: The servers of this process not yet stopped: what :func:`stop_all` ends when a run is
#: cut short between starting a server and handing it to the code that would stop it.
_LIVE: set[ServerProcess] = set()


def stop_all() -> None:
    """Stop every server this process started and has not stopped (an interrupted run)."""
    for process in list(_LIVE):
        process.stop()


def _close_after(reader: threading.Thread, stream: IO[bytes] | None) -> None:
    """Close a pipe once its reader thread is done with it.

    A reader still blocked in ``read`` holds the stream's lock, and closing would wait
    for it: when something outside the process group (a server that escaped it with
    ``setsid``) keeps the pipe open, the kit would hang. The daemon thread and its pipe
    are left to the end of the process instead.
    """
    if stream is not None and not reader.is_alive():
        with contextlib.suppress(OSError):
            stream.close()


class StdioTransport:
    """JSON lines over the pipes of a child process."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process
        self.inbox: queue.Queue[Incoming] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stdout = self.process.proc.stdout
        assert stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for raw in stdout:
                self.inbox.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        self.inbox.put(CLOSED)

    def send_line(self, text: str) -> None:
        stdin = self.process.proc.stdin
        assert stdin is not None
        try:
            stdin.write(text.encode() + b"\n")
            stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise TransportError(
                f"cannot write to the server ({self.process.describe_exit()}): {exc}"
            ) from exc

    def close(self) -> None:
        self.process.stop()
        self._reader.join(2)
        _close_after(self._reader, self.process.proc.stdout)


class WebSocketTransport:
    """Text frames over a websocket, from an event loop on a thread of its own.

    ``process`` is the server the kit started for this connection, if any (its
    stderr and exit status go into reports); ``None`` for a server run by the user.
    """

    def __init__(
        self, url: str, process: ServerProcess | None = None, connect_timeout: float = 10.0
    ) -> None:
        self.url = url
        self.process = process
        self.inbox: queue.Queue[Incoming] = queue.Queue()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ws: object | None = None
        self._session: object | None = None
        future = asyncio.run_coroutine_threadsafe(self._connect(connect_timeout), self._loop)
        try:
            future.result(connect_timeout + 1)
        except Exception as exc:
            self.close()
            raise TransportError(f"cannot connect to {url}: {exc}") from exc

    async def _connect(self, patience: float) -> None:
        import aiohttp

        deadline = time.monotonic() + patience
        session = aiohttp.ClientSession(trust_env=False)
        self._session = session
        while True:
            try:
                ws = await session.ws_connect(self.url, autoping=True, heartbeat=None)
                break
            except aiohttp.ClientConnectorError:
                # A server the kit just started may not listen yet; one the user runs
                # listens already, or is not there (no use waiting for it).
                if (
                    self.process is None
                    or time.monotonic() > deadline
                    or self.process.exit_code() is not None
                ):
                    raise
                await asyncio.sleep(0.02)
        self._ws = ws
        self._loop.create_task(self._pump(ws))

    async def _pump(self, ws: object) -> None:
        import aiohttp

        assert isinstance(ws, aiohttp.ClientWebSocketResponse)
        with contextlib.suppress(Exception):
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.TEXT:
                    for line in str(frame.data).splitlines() or [""]:
                        self.inbox.put(line)
                elif frame.type is aiohttp.WSMsgType.BINARY:
                    self.inbox.put(bytes(frame.data).decode("utf-8", "replace"))
        self.inbox.put(CLOSED)

    def send_line(self, text: str) -> None:
        import aiohttp

        ws = self._ws
        if not isinstance(ws, aiohttp.ClientWebSocketResponse) or ws.closed:
            raise TransportError(f"the websocket to {self.url} is closed")
        future = asyncio.run_coroutine_threadsafe(ws.send_str(text), self._loop)
        try:
            future.result(10)
        except Exception as exc:
            raise TransportError(f"cannot send to {self.url}: {exc}") from exc

    def close(self) -> None:
        async def _shutdown() -> None:
            import aiohttp

            if isinstance(self._ws, aiohttp.ClientWebSocketResponse):
                await self._ws.close()
            if isinstance(self._session, aiohttp.ClientSession):
                await self._session.close()

        if self._loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
        if self.process is not None:
            self.process.stop()
