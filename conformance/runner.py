"""Run one scenario against one target with one mock tenant, and judge it.

No pytest here: the plugin, ``python -m conformance`` and the kit's own tests all
call :func:`run_scenario`. The steps run themselves (``conformance/steps/``); this
module prepares the run, walks the steps, and gathers what every server session
found into one result. Every server process the run starts is ended before it
returns, whatever happened.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from mock_backend.control_client import ControlError
from mock_backend.tenant_handle import MockTenant

from . import matching
from .exclusive import hold
from .results import Failure, ScenarioResult, SchemaWarning
from .run_context import RunContext, RunOptions
from .scenario import Scenario
from .session import Stop
from .steps import StepKind
from .target import Target
from .transcript import last_lines
from .versions import is_release, version_key

__all__ = ["RunOptions", "run_scenario", "skip_reason"]


def skip_reason(
    scenario: Scenario, target: Target, version: str | None, lacks: frozenset[str] = frozenset()
) -> str | None:
    """Why ``scenario`` does not apply to ``target``, or None when it does."""
    needs = scenario.requires
    if needs.process and not target.starts_processes:
        return (
            "needs a server the kit starts (a fresh CODEX_HOME, files, restarts); "
            "use --app-server CMD"
        )
    if not target.starts_processes and scenario.uses_backend:
        return (
            "scripts the mock backend, and a server the kit did not start is not attached "
            "to the kit's backend; use --app-server CMD"
        )
    lacking = sorted(scenario.capabilities & set(lacks))
    if lacking:
        return f"needs {', '.join(lacking)}, which the server lacks (--app-server-lacks)"
    if (
        needs.min_version
        and version
        and is_release(version)
        and version_key(version) < version_key(needs.min_version)
    ):
        return f"needs codex {needs.min_version} or later; the server reports {version}"
    return None


def run_scenario(
    scenario: Scenario, target: Target, tenant: MockTenant, workdir: Path, options: RunOptions
) -> ScenarioResult:
    started = time.monotonic()
    reason = skip_reason(scenario, target, options.server_version, options.lacks)
    if reason:
        return ScenarioResult(scenario.id, "skipped", 0.0, reason=reason, title=scenario.title)
    run = RunContext(target, tenant, workdir, options)
    with hold(*scenario.requires.exclusive):
        try:
            with _stamped(run, "start"):
                _prepare(run, scenario)
            _steps(run, scenario.steps)
        except Stop as stop:
            run.failures.append(stop.failure)
        except Exception as exc:  # a bug of the kit: reported like any failure, never lost
            where = "".join(traceback.format_exception(exc)[-3:]).strip()
            run.failures.append(Failure("kit", "setup", f"the kit failed: {exc!r}\n{where}"))
        finally:
            with _stamped(run, "after the last step"):
                for session in run.sessions:
                    if not run.failures:
                        session.drain(quiet=0.02, limit=0.2)  # late garbage or ordering faults
                    session.close()
    return _result(scenario, run, time.monotonic() - started)


def _prepare(run: RunContext, scenario: Scenario) -> None:
    """The backend scripted, then ``CODEX_HOME`` written (its files may use what the
    backend actions saved: ``${minted.auth_json}``), then the server started."""
    run.home.mkdir(parents=True, exist_ok=True)
    ready = run.tenant.ready
    run.saved["backend"] = {
        "issuer": ready.issuer,
        "chatgpt_base_url": ready.chatgpt_base_url,
        "verification_page": ready.verification_page,
    }
    run.saved["home"] = str(run.home)
    try:
        run.tenant.control.settings(interval=run.options.poll_interval)
    except (ControlError, OSError) as exc:
        raise Stop(Failure("environment", "setup", f"the mock backend refused: {exc}")) from exc
    for index, action in enumerate(scenario.backend):
        run.where = f"backend setup {index + 1}"
        run.backend_action(action)
    run.where = "home"
    for name, text in scenario.home.items():
        target = run.home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = str(run.substitute(text))
        except matching.TemplateError as exc:
            raise Stop(Failure("kit", "setup", f"home file {name}: {exc.args[0]}")) from exc
        target.write_text(text)
        target.chmod(0o600)
    if not scenario.starts_itself:
        run.where = "start"
        run.start_server()


@contextlib.contextmanager
def _stamped(run: RunContext, where: str) -> Iterator[None]:
    """What the sessions' judges find meanwhile (schema, JSON-RPC, rules: found as the
    messages pass, not by a step) is said to be found at ``where``."""
    before = {id(session): len(session.problems) for session in run.sessions}
    try:
        yield
    finally:
        for session in run.sessions:
            problems = session.problems
            for index in range(before.get(id(session), 0), len(problems)):
                if problems[index].step is None:
                    problems[index] = replace(problems[index], step=where)


def _steps(run: RunContext, steps: list[StepKind]) -> None:
    for index, step in enumerate(steps):
        run.where = where = step.label(index)
        try:
            with _stamped(run, where):
                step.execute(run)
        except matching.TemplateError as exc:
            raise Stop(Failure("kit", "setup", f"{where}: {exc}")) from exc
        except Stop as stop:
            failure = stop.failure
            if failure.step is None:
                failure = Failure(failure.fault, failure.kind, failure.message, where)
            raise Stop(failure) from None


def _result(scenario: Scenario, run: RunContext, duration: float) -> ScenarioResult:
    """What the steps found and what every server session found on the way, once each."""
    failures = list(run.failures)
    for session in run.sessions:
        failures.extend(session.all_problems())
    return ScenarioResult(
        scenario.id,
        "failed" if failures else "passed",
        duration,
        failures=_dedupe(failures),
        title=scenario.title,
        messages=sum(s.message_count for s in run.sessions),
        warnings=_dedupe_warnings(w for s in run.sessions for w in s.warnings),
        validation_seconds=sum(s.validation_seconds for s in run.sessions),
        transcript=last_lines([s.records for s in run.sessions]) if failures else [],
    )


def _dedupe_warnings(warnings: Iterable[SchemaWarning]) -> list[SchemaWarning]:
    """One warning per gap, however many servers the scenario started."""
    kept: dict[tuple[str, str, str, str], SchemaWarning] = {}
    for warning in warnings:
        kept.setdefault(warning.gap, warning)
    return list(kept.values())


def _dedupe(failures: list[Failure]) -> list[Failure]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for failure in failures:
        key = (failure.fault, failure.kind, failure.message)
        if key not in seen:
            seen.add(key)
            kept.append(failure)
    return kept
