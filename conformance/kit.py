"""The kit as one object: a target, a mock backend, a schema; scenarios in, results out.

``Kit`` owns an in-process mock backend (or uses a running one through its control
URL) and gives every scenario a tenant of its own, so runs in parallel never share
codes, scripts or journals. Before the first scenario it asks the server its version
(one handshake, :mod:`conformance.preflight`) and opens the vendored bundle that judges
that version, unless it was given a schema. A server that cannot be started or does
not answer that handshake is judged once: every scenario then fails at once with that
one ``environment`` failure, instead of waiting out a timeout each. Used by the pytest
plugin, ``python -m conformance`` and the kit's own tests alike.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from mock_backend.config import BackendConfig
from mock_backend.control_client import ControlClient, ControlError
from mock_backend.endpoints import ReadyInfo
from mock_backend.tenant_handle import MockTenant
from mock_backend.thread_runner import BackendThread

from . import preflight
from .baseline import Baseline
from .baseline_choice import BaselineChoice, choose_packaged
from .bundles import BUNDLES, SchemaChoice, choose, open_choice, own_schema
from .report import NOT_RUN, RunReport
from .results import Failure, ScenarioResult
from .run_context import RunOptions
from .runner import run_scenario
from .scenario import Scenario
from .schema_check import SchemaCheck, SchemaSetError
from .target import Target


class Kit:
    def __init__(
        self,
        target: Target,
        schema: SchemaChoice | None = None,
        baseline: Baseline | BaselineChoice | Literal["auto"] | None = None,
        timeout: float = 10.0,
        backend_control: str | None = None,
        workdir: Path | None = None,
        inside: Path | None = None,
        lacks: frozenset[str] = frozenset(),
        strict_fields: bool = False,
        bundles: Path = BUNDLES,
    ) -> None:
        """``schema``: a bundle to judge by instead of the one of the server's version.
        ``baseline``: known deviations; ``"auto"``: the packaged baseline of the version the
        server reports (chosen with the schema, before the first scenario). ``workdir``: a
        folder to work in (else a temporary one of its own, made ``inside`` a given folder:
        the run's, when the kit is one of several)."""
        self.target = target
        self.options = RunOptions(schema=None, timeout=timeout, lacks=lacks)
        self.strict_fields = strict_fields
        self.bundles = bundles
        self.schema_choice = schema
        self._auto_baseline = baseline == "auto"
        self.baseline_choice: BaselineChoice | None = None
        if isinstance(baseline, BaselineChoice):
            self.baseline_choice = baseline
            self.baseline = baseline.baseline
        else:
            self.baseline = baseline if isinstance(baseline, Baseline) else Baseline.empty()
        self._probed = False
        #: Why the server cannot be judged at all (it cannot start, it does not answer
        #: the handshake, the backend is not there): every scenario fails with it, at once.
        self.unusable: Failure | None = None
        self._backend_control = backend_control
        self._backend: BackendThread | None = None
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="conformance-", dir=inside))
        #: The folder of the whole run: this kit's, or the one it works inside (an xdist
        #: worker's kit works in a folder inside the controller's: one rmtree ends all).
        self.run_folder = inside or self.workdir

    def start(self) -> Kit:
        """Start the in-process backend (once; later calls return at once)."""
        if self._backend_control is None and self._backend is None:
            backend = BackendThread(BackendConfig())
            backend.__enter__()
            self._backend = backend
        return self

    def stop_backend(self) -> None:
        """Stop the in-process backend (``start`` makes a new one when needed)."""
        if self._backend is not None:
            self._backend.__exit__(None, None, None)
            self._backend = None

    def preflight(self) -> Failure | None:
        """Ask once, before any scenario, whether the backend answers, the server can be
        judged and its bundle opened; the answers are kept (``unusable``, the version,
        the schema choice). None: all is well."""
        if self._backend_control is not None:
            self.unusable = preflight.check_backend(self._backend_control)
        if self.unusable is None:
            self._judgeable()
        return self.unusable

    def _judgeable(self) -> None:
        """Learn the server's version, its baseline and its bundle, once; what makes the
        server unusable is kept in ``unusable``."""
        self.server_version()
        self.hold_by_version()
        if self.unusable is None:
            try:
                self.schema()
            except SchemaSetError as exc:
                self.unusable = Failure("environment", "setup", f"the schema cannot be used: {exc}")

    def handoff(self) -> dict[str, Any]:
        """What the preflight found, as JSON, for kits in other processes (xdist workers)."""
        choice = self.schema_choice
        return {
            "run_folder": str(self.run_folder),
            "server_version": self.options.server_version,
            "unusable": self.unusable.to_json() if self.unusable else None,
            "schema": {**asdict(choice), "folder": str(choice.folder)} if choice else None,
        }

    def take_handoff(self, handoff: dict[str, Any]) -> None:
        """Another kit's preflight answers: this kit asks nothing again."""
        self._probed = True
        self.options.server_version = handoff["server_version"]
        unusable = handoff["unusable"]
        self.unusable = Failure(**unusable) if unusable else None
        if (schema := handoff["schema"]) is not None:
            self.schema_choice = SchemaChoice(**{**schema, "folder": Path(schema["folder"])})
            self.options.schema = None

    def __enter__(self) -> Kit:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._backend is not None:
            self._backend.__exit__(exc_type, exc, tb)
            self._backend = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def tenant(self, label: str) -> MockTenant:
        """A tenant of its own; ControlError or OSError when the backend cannot make one."""
        name = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)[:40]}-{secrets.token_hex(3)}"
        if self._backend is not None:
            return MockTenant.of(self._backend.tenant(name))
        assert self._backend_control is not None
        created = ControlClient(self._backend_control).create_tenant(name)
        return MockTenant.of(ReadyInfo.model_validate(created))

    def server_version(self) -> str | None:
        """The version the server reports in ``userAgent``, asked once by a handshake
        (a failed handshake is remembered in ``unusable``, not asked again)."""
        if not self._probed:
            self._probed = True
            try:
                tenant = self.start().tenant("probe")
            except (ControlError, OSError) as exc:
                self.unusable = preflight.backend_failure(self._control_url(), exc)
                return None
            found = preflight.probe(self.target, tenant, self.workdir, self.options.timeout)
            self.options.server_version, self.unusable = found.version, found.failure
        return self.options.server_version

    def _control_url(self) -> str:
        if self._backend is not None:
            return self._backend.ready.control
        return self._backend_control or "(no backend)"

    def schema(self) -> SchemaCheck:
        """The bundle that judges this server (chosen and opened once); SchemaSetError when
        it cannot be used."""
        if self.options.schema is None:
            if self.schema_choice is None:
                self.schema_choice = choose(self.server_version(), self.bundles)
            self.options.schema = open_choice(self.schema_choice, self.strict_fields)
        return self.options.schema

    def hold_by_version(self) -> None:
        """With ``baseline="auto"``: the packaged baseline of the reported version, chosen
        once the server has answered the probe (until then, none)."""
        if not self._auto_baseline or self.baseline_choice is not None:
            return
        choice = choose_packaged(self.server_version())
        self.baseline, self.baseline_choice = choice.baseline, choice

    def run(self, scenario: Scenario) -> ScenarioResult:
        """Run one scenario and hold its result against the baseline."""
        self._judgeable()
        if self.unusable is not None:
            return not_run(scenario, self.unusable)
        try:
            tenant = self.tenant(scenario.id)
        except (ControlError, OSError) as exc:
            return not_run(scenario, preflight.backend_failure(self._control_url(), exc))
        workdir = Path(tempfile.mkdtemp(prefix=f"{scenario.id}-", dir=self.workdir))
        try:
            result = run_scenario(scenario, self.target, tenant, workdir, self.options)
        finally:
            with contextlib.suppress(OSError):
                tenant.control.delete_tenant(tenant.name)
            shutil.rmtree(workdir, ignore_errors=True)
        return self.baseline.judge(result)

    def judge_by_own_schema(self) -> SchemaChoice:
        """Judge by the bundle the server command writes itself (``CMD
        generate-json-schema``, into the kit's work folder) instead of the vendored one;
        SchemaSetError when it cannot be made."""
        if self.target.argv is None:
            raise SchemaSetError("the server's own schema needs a server command to run")
        folder = Path(tempfile.mkdtemp(prefix="own-schema-", dir=self.workdir))
        self.schema_choice = own_schema(self.target.argv, self.target.name, folder)
        self.options.schema = None
        return self.schema_choice

    def entry(self, result: ScenarioResult) -> dict[str, Any]:
        """One result as the run's report takes it (JSON): with the version the server
        reported and the bundle that judged it."""
        choice, held = self.schema_choice, self.baseline_choice
        return {
            **result.to_json(),
            "server_version": self.options.server_version,
            "schema": choice.name if choice else None,
            "schema_reason": choice.reason if choice else None,
            "schema_warning": choice.warning if choice else None,
            "baseline": self.baseline.source or None,
            "baseline_reason": held.reason if held else None,
            "baseline_warning": held.warning if held else None,
        }

    def report(self, results: list[ScenarioResult], wall_seconds: float = 0.0) -> RunReport:
        """The report (JSON, Markdown, console) of results this kit ran."""
        return self.report_entries([self.entry(result) for result in results], wall_seconds)

    def report_entries(
        self,
        entries: list[dict[str, Any]],
        wall_seconds: float,
        errors: list[Failure] | None = None,
        interrupted: str | None = None,
        selected: int | None = None,
    ) -> RunReport:
        """The report of entries made by this kit or its copies (parallel workers), with
        the run's own errors (this kit's ``unusable`` among them), whether it was
        ``interrupted`` (how) and how many scenarios were ``selected`` to run."""
        choice = self.schema_choice
        run_errors = list(errors or [])
        if self.unusable is not None and self.unusable not in run_errors:
            run_errors.insert(0, self.unusable)
        return RunReport.from_entries(
            self.target.name,
            self.baseline.source or None,
            entries,
            wall_seconds,
            schema=choice.name if choice else "(no scenario ran)",
            schema_reason=choice.reason if choice else None,
            errors=run_errors,
            interrupted=interrupted,
            selected=selected,
            server_environment={
                "removed": self.target.removed_variables(),
                "set": self.target.set_variables(),
            },
        )


def not_run(scenario: Scenario, failure: Failure) -> ScenarioResult:
    """A scenario the run could not start, for the reason ``failure`` gives (the run's
    report lists that failure once, in its ``errors``)."""
    first = failure.message.splitlines()[0] if failure.message else ""
    short = Failure(failure.fault, failure.kind, f"{NOT_RUN}{first}")
    return ScenarioResult(scenario.id, "failed", 0.0, [short], title=scenario.title)


__all__ = ["Kit", "not_run"]
