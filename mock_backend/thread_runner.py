"""The backend in a background thread, for synchronous code and pytest fixtures.

The thread runs its own event loop; ``start`` returns once the sockets are bound
(or raises what went wrong), ``stop`` shuts everything down and joins the thread
with a timeout, so no test leaves a listener behind.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from .clock import Clock
from .config import BackendConfig
from .endpoints import ReadyInfo
from .scenario_file import BackendScenario
from .server import MockBackend

T = TypeVar("T")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


class BackendThread:
    def __init__(
        self,
        config: BackendConfig | None = None,
        scenario: BackendScenario | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.backend = MockBackend(config, scenario, clock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def ready(self) -> ReadyInfo:
        return self.backend.ready

    def tenant(self, name: str) -> ReadyInfo:
        return self.call(self._tenant(name))

    async def _tenant(self, name: str) -> ReadyInfo:
        return self.backend.tenant(name)

    def delete_tenant(self, name: str) -> None:
        self.call(self._delete_tenant(name))

    async def _delete_tenant(self, name: str) -> None:
        self.backend.delete_tenant(name)

    def start(self) -> BackendThread:
        self._thread = threading.Thread(target=self._run, name="mock-backend", daemon=True)
        self._thread.start()
        if not self._started.wait(START_TIMEOUT):
            raise TimeoutError(f"mock backend did not start within {START_TIMEOUT} s")
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            # Proxy tunnels of clients still connected: end them rather than leave
            # "Task was destroyed but it is pending" on stderr at exit.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            await self.backend.start()
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._started.set()
            return
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await self.backend.stop()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the backend's loop (state is only touched from there)."""
        if self._loop is None:
            coro.close()
            raise RuntimeError("backend thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                raise TimeoutError(f"mock backend thread did not stop within {STOP_TIMEOUT} s")
            self._thread = None

    def __enter__(self) -> BackendThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
