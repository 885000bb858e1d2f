"""The server's life and the scenario's pace: start, stop, sleep."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import StepKind

if TYPE_CHECKING:
    from ..run_context import RunContext


class StartOptions(BaseModel):
    """How to start the server: what the handshake says, and whether there is one."""

    model_config = ConfigDict(extra="forbid")

    experimental_api: bool = Field(
        default=False, description="Ask for `capabilities.experimentalApi` in `initialize`."
    )
    initialize: bool = Field(default=True, description="Do the handshake (false: none).")
    client_name: str = Field(default="conformance-kit", description="`clientInfo.name`.")


class StartServer(StepKind):
    """(Re)start the server on the same CODEX_HOME; handshake unless `initialize: false`.

    Without a `start` step first, a server is started and initialized before the steps.
    """

    action: ClassVar[str] = "start"
    written: ClassVar[str] = "{experimental_api, initialize, client_name}"

    start: StartOptions

    def execute(self, run: RunContext) -> None:
        options = self.start
        run.start_server(options.experimental_api, options.initialize, options.client_name)


class StopServer(StepKind):
    """End the server (CODEX_HOME stays)."""

    action: ClassVar[str] = "stop"
    written: ClassVar[str] = "true"

    stop: Literal[True]

    def execute(self, run: RunContext) -> None:
        run.session.close()


class Sleep(StepKind):
    """Wait this long (at most 30 s)."""

    action: ClassVar[str] = "sleep"
    written: ClassVar[str] = "SECONDS"

    sleep: float = Field(ge=0, le=30)

    def execute(self, run: RunContext) -> None:
        time.sleep(self.sleep)
