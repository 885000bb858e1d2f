"""What a step works with while a scenario runs, and how it reports what it finds.

The runner makes one :class:`RunContext` per scenario run and hands it to each step's
executor (``conformance/steps/``): the server sessions, the scenario's tenant on the
mock backend, its ``CODEX_HOME``, the values earlier steps saved, and the failures
found so far. A step that finds the server wrong records a failure and the scenario
goes on (``fail``, ``check``); one that cannot go on raises :class:`Stop`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_backend.backend_actions import BACKEND_ACTIONS
from mock_backend.control_client import ControlError
from mock_backend.tenant_handle import MockTenant

from . import matching
from .results import Failure, Kind
from .schema_check import SchemaCheck
from .session import Session, Stop
from .target import Target
from .transport import TransportError


@dataclass
class RunOptions:
    schema: SchemaCheck | None  # None only until the kit has chosen the bundle
    timeout: float = 10.0
    server_version: str | None = None
    #: The poll interval the backend hands out unless a scenario sets one: fast runs.
    poll_interval: int = 0
    #: Capabilities the server is declared not to have: scenarios needing them are skipped.
    lacks: frozenset[str] = frozenset()


@dataclass
class RunContext:
    target: Target
    tenant: MockTenant
    workdir: Path
    options: RunOptions
    #: Values saved by name (``save:``, backend actions), for ``${name.path}``.
    saved: dict[str, Any] = field(default_factory=dict)
    #: Every server of the run, the running one last (earlier ones were stopped).
    sessions: list[Session] = field(default_factory=list)
    #: Requests sent with ``wait: false``, by the name a ``response`` step awaits.
    pending: dict[str, tuple[Any, str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: The step being run, as failures name it (``step 3 request account/read``).
    where: str = "setup"

    @property
    def session(self) -> Session:
        if not self.sessions:
            raise Stop(Failure("kit", "setup", "no server is running at this step"))
        return self.sessions[-1]

    @property
    def home(self) -> Path:
        return self.workdir / "codex-home"

    def timeout(self, own: float | None) -> float:
        """A step's own timeout, else the run's."""
        return own or self.options.timeout

    def substitute(self, value: Any) -> Any:
        """``value`` with ``${name.path}`` filled in; a name never saved is the kit's fault."""
        return matching.substitute(value, self.saved)

    def fail(self, kind: Kind, message: str) -> None:
        """The server got something wrong at this step; the scenario goes on."""
        self.failures.append(Failure("server", kind, message, self.where))

    def check(self, expected: Any, actual: Any, what: str) -> None:
        """Hold ``actual`` to what the scenario expects (nothing expected: nothing held)."""
        if expected is None:
            return
        found = matching.mismatches(self.substitute(expected), actual)
        if found:
            self.fail("mismatch", f"{what}: " + "; ".join(found))

    def start_server(
        self,
        experimental_api: bool = False,
        initialize: bool = True,
        client_name: str = "conformance-kit",
    ) -> None:
        """A fresh server on the same CODEX_HOME (any running one is stopped first)."""
        for session in self.sessions:
            session.close()
        try:
            transport = self.target.connect(self.tenant, self.home)
        except TransportError as exc:
            raise Stop(Failure("environment", "setup", f"{self.where}: {exc}")) from exc
        options = self.options
        session = Session(transport, options.schema)
        self.sessions.append(session)
        if not initialize:
            return
        reply = session.handshake(client_name, experimental_api, options.timeout)
        if "result" not in reply:
            raise Stop(Failure("server", "mismatch", f"{self.where}: initialize failed: {reply}"))
        self.saved["initialize"] = reply["result"]

    def backend_action(self, action: dict[str, Any]) -> None:
        """One entry of ``mock_backend.backend_actions``, on this run's tenant."""
        ((name, raw),) = action.items()  # one action per entry: checked at load
        try:
            args = self.substitute(raw)
        except matching.TemplateError as exc:
            raise Stop(Failure("kit", "setup", f"{self.where}: {exc}")) from exc
        try:  # names are checked when the scenario file is loaded
            self.saved.update(BACKEND_ACTIONS[name].perform(self.tenant, args))
        except (ControlError, OSError, TypeError) as exc:
            raise Stop(
                Failure("environment", "setup", f"{self.where}: {name} failed: {exc}")
            ) from exc
