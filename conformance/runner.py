"""Run one scenario against one target with one mock tenant, and judge it.

No pytest here: the plugin, ``python -m conformance`` and the kit's own tests all
call :func:`run_scenario`. Every server process the run starts is ended before it
returns, whatever happened.
"""

from __future__ import annotations

import json
import stat
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mock_backend.backend_actions import BACKEND_ACTIONS
from mock_backend.control_client import ControlError
from mock_backend.tenant_handle import MockTenant

from . import matching
from .exclusive import hold
from .results import Failure, ScenarioResult, SchemaWarning
from .scenario import Scenario, Start, Step, version_tuple
from .schema_check import SchemaCheck
from .session import MISSING, Session, Stop
from .target import Target
from .transport import TransportError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RunOptions:
    schema: SchemaCheck | None  # None only until the kit has chosen the bundle
    extra_schemas: tuple[SchemaCheck, ...] = ()
    timeout: float = 10.0
    server_version: str | None = None
    #: The poll interval the backend hands out unless a scenario sets one: fast runs.
    poll_interval: int = 0
    #: Capabilities the server is declared not to have: scenarios needing them are skipped.
    lacks: frozenset[str] = frozenset()


@dataclass
class _Run:
    scenario: Scenario
    target: Target
    tenant: MockTenant
    workdir: Path
    options: RunOptions
    saved: dict[str, Any] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    pending: dict[str, tuple[Any, str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    @property
    def session(self) -> Session:
        if not self.sessions:
            raise Stop(Failure("kit", "setup", "no server is running at this step"))
        return self.sessions[-1]

    @property
    def home(self) -> Path:
        return self.workdir / "codex-home"


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
    if not target.starts_processes and _scripts_the_backend(scenario):
        return (
            "scripts the mock backend, and a server the kit did not start is not attached "
            "to the kit's backend; use --app-server CMD"
        )
    lacking = sorted(scenario.capabilities & set(lacks))
    if lacking:
        return f"needs {', '.join(lacking)}, which the server lacks (--app-server-lacks)"
    if needs.min_version and version and version_tuple(version) < version_tuple(needs.min_version):
        return f"needs codex {needs.min_version} or later; the server reports {version}"
    return None


def _scripts_the_backend(scenario: Scenario) -> bool:
    return bool(scenario.backend) or any(
        step.backend is not None or step.journal is not None for step in scenario.steps
    )


def run_scenario(
    scenario: Scenario, target: Target, tenant: MockTenant, workdir: Path, options: RunOptions
) -> ScenarioResult:
    started = time.monotonic()
    reason = skip_reason(scenario, target, options.server_version, options.lacks)
    if reason:
        return ScenarioResult(scenario.id, "skipped", 0.0, reason=reason, title=scenario.title)
    run = _Run(scenario, target, tenant, workdir, options)
    with hold(*scenario.requires.exclusive):
        try:
            _prepare(run)
            _steps(run)
        except Stop as stop:
            run.failures.append(stop.failure)
        except Exception as exc:  # a bug of the kit: reported like any failure, never lost
            import traceback

            where = "".join(traceback.format_exception(exc)[-3:]).strip()
            run.failures.append(Failure("kit", "setup", f"the kit failed: {exc!r}\n{where}"))
        finally:
            for session in run.sessions:
                if not run.failures:
                    session.drain(quiet=0.02, limit=0.2)  # late garbage or ordering faults
                session.close()
    failures = list(run.failures)
    for session in run.sessions:
        failures.extend(session.all_problems())
    return ScenarioResult(
        scenario.id,
        "failed" if failures else "passed",
        time.monotonic() - started,
        failures=_dedupe(failures),
        title=scenario.title,
        messages=sum(s.message_count for s in run.sessions),
        warnings=_dedupe_warnings(w for s in run.sessions for w in s.warnings),
        validation_seconds=sum(s.validation_seconds for s in run.sessions),
        transcript=_transcript(run.sessions) if failures else [],
    )


def _transcript(sessions: list[Session], lines: int = 40) -> list[str]:
    """The last lines of the conversation, server by server when it was restarted."""
    found: list[str] = []
    for number, session in enumerate(sessions, start=1):
        if len(sessions) > 1:
            found.append(f"-- server {number} --")
        found.extend(record.short(200) for record in session.records)
    return found[-lines:]


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


# Preparation
def _prepare(run: _Run) -> None:
    run.home.mkdir(parents=True, exist_ok=True)
    for name, text in run.scenario.home.items():
        target = run.home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
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
    for index, action in enumerate(run.scenario.backend):
        _backend_action(run, action, f"backend setup {index + 1}")
    if not run.scenario.starts_itself:
        _start(run, Start(), "start")


def _backend_action(run: _Run, action: dict[str, Any], where: str) -> None:
    ((name, raw),) = action.items()  # one action per entry: checked at load
    try:
        args = matching.substitute(raw, run.saved)
    except matching.TemplateError as exc:
        raise Stop(Failure("kit", "setup", f"{where}: {exc}")) from exc
    try:  # names are checked when the scenario file is loaded
        run.saved.update(BACKEND_ACTIONS[name].perform(run.tenant, args))
    except (ControlError, OSError, TypeError) as exc:
        raise Stop(Failure("environment", "setup", f"{where}: {name} failed: {exc}")) from exc


# Steps
def _steps(run: _Run) -> None:
    for index, step in enumerate(run.scenario.steps):
        where = step.label(index)
        try:
            _step(run, step, where)
        except matching.TemplateError as exc:
            raise Stop(Failure("kit", "setup", f"{where}: {exc}")) from exc
        except Stop as stop:
            failure = stop.failure
            if failure.step is None:
                failure = Failure(failure.fault, failure.kind, failure.message, where)
            raise Stop(failure) from None


def _step(run: _Run, step: Step, where: str) -> None:
    _STEPS[step.action](run, step, where, step.timeout or run.options.timeout)


def _params(run: _Run, step: Step) -> Any:
    return matching.substitute(step.params, run.saved) if step.has_params else MISSING


def _notify(run: _Run, step: Step, where: str, timeout: float) -> None:
    run.session.notify(str(step.notify), _params(run, step))


def _send(run: _Run, step: Step, where: str, timeout: float) -> None:
    raw = step.send if isinstance(step.send, str) else json.dumps(step.send)
    run.session.send_raw(str(matching.substitute(raw, run.saved)))


def _backend(run: _Run, step: Step, where: str, timeout: float) -> None:
    assert step.backend is not None
    _backend_action(run, step.backend, where)


def _sleep(run: _Run, step: Step, where: str, timeout: float) -> None:
    time.sleep(float(step.sleep or 0))


def _start_step(run: _Run, step: Step, where: str, timeout: float) -> None:
    assert step.start is not None
    _start(run, step.start, where)


def _stop(run: _Run, step: Step, where: str, timeout: float) -> None:
    run.session.close()


def _start(run: _Run, start: Start, where: str) -> None:
    for session in run.sessions:
        session.close()
    try:
        transport = run.target.connect(run.tenant, run.home)
    except TransportError as exc:
        raise Stop(Failure("environment", "setup", f"{where}: {exc}")) from exc
    session = Session(transport, run.options.schema, extra_schemas=run.options.extra_schemas)
    run.sessions.append(session)
    if not start.initialize:
        return
    reply = session.handshake(start.client_name, start.experimental_api, run.options.timeout)
    if "result" not in reply:
        raise Stop(Failure("server", "mismatch", f"{where}: initialize failed: {reply}"))
    run.saved["initialize"] = reply["result"]


def _check(run: _Run, expected: Any, actual: Any, where: str, what: str) -> None:
    if expected is None:
        return
    wanted = matching.substitute(expected, run.saved)
    found = matching.mismatches(wanted, actual)
    if found:
        run.failures.append(Failure("server", "mismatch", f"{what}: " + "; ".join(found), where))


def _request(run: _Run, step: Step, where: str, timeout: float) -> None:
    session = run.session
    params = _params(run, step)
    request_id = matching.substitute(step.id, run.saved) if step.id is not None else MISSING
    label = "deliberately off-schema" if step.off_schema else None
    sent = session.request(str(step.request), params, request_id, label=label)
    if not step.wait:
        assert step.save is not None
        run.pending[step.save] = (sent, str(step.request))
        return
    _answer(run, step, where, session.response(sent, timeout), str(step.request))


def _response(run: _Run, step: Step, where: str, timeout: float) -> None:
    name = str(step.response)
    if name not in run.pending:
        raise Stop(Failure("kit", "setup", f"{where}: no request saved as {name!r} awaits"))
    sent, method = run.pending.pop(name)
    reply = run.session.response(sent, timeout)
    _answer(run, step.model_copy(update={"save": name}), where, reply, method)


def _answer(run: _Run, step: Step, where: str, reply: dict[str, Any], method: str) -> None:
    expected = step.expect
    if expected is None:
        expected = {"result": "$any"}
    if isinstance(expected, dict) and ("result" in expected or "error" in expected):
        _check(run, expected, reply, where, f"the answer to {method}")
    else:
        _check(run, {"result": expected}, reply, where, f"the answer to {method}")
    if step.save:
        run.saved[step.save] = reply.get("result", reply.get("error"))


def _notification(run: _Run, step: Step, where: str, timeout: float) -> None:
    method = step.notification
    message = run.session.expect(
        lambda m: m.get("method") == method and "id" not in m, f"the notification {method}", timeout
    )
    params = message.get("params")
    _check(run, step.expect, params, where, f"{method} params")
    if step.save:
        run.saved[step.save] = params


def _server_request(run: _Run, step: Step, where: str, timeout: float) -> None:
    method = step.server_request
    session = run.session
    message = session.expect(
        lambda m: m.get("method") == method and "id" in m, f"the server request {method}", timeout
    )
    _check(run, step.expect, message.get("params"), where, f"{method} params")
    if step.save:
        run.saved[step.save] = message.get("params")
    answer = step.answer
    if answer is None or answer == "none":
        return
    assert not isinstance(answer, str)
    if answer.error is not None:
        session.respond(message["id"], error=matching.substitute(answer.error, run.saved))
    else:
        session.respond(message["id"], result=matching.substitute(answer.result, run.saved))


def _no_message(run: _Run, step: Step, where: str, timeout: float) -> None:
    session = run.session
    method = step.no_message
    deadline = time.monotonic() + step.within
    while True:
        session.drain(quiet=0.02, limit=max(0.0, deadline - time.monotonic()))
        found = [m for m in session.unconsumed() if m.get("method") == method]
        if found:
            session.consume(found[0])
            run.failures.append(
                Failure(
                    "server",
                    "unexpected",
                    f"{method} arrived and must not: {json.dumps(found[0])[:300]}",
                    where,
                )
            )
            return
        if time.monotonic() >= deadline:
            return


def _file(run: _Run, step: Step, where: str, timeout: float) -> None:
    path = run.home / str(step.file)
    exists = path.exists()
    want_exists = step.exists if step.exists is not None else True
    if exists != want_exists:
        state = "exists" if exists else "does not exist"
        run.failures.append(Failure("server", "mismatch", f"CODEX_HOME/{step.file} {state}", where))
        return
    if not exists:
        return
    if step.mode is not None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != int(step.mode, 8):
            run.failures.append(
                Failure(
                    "server",
                    "mismatch",
                    f"CODEX_HOME/{step.file} has mode {mode:04o}, expected {step.mode}",
                    where,
                )
            )
    if step.expect is not None:
        try:
            content = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            run.failures.append(
                Failure("server", "mismatch", f"CODEX_HOME/{step.file} is not JSON: {exc}", where)
            )
            return
        _check(run, step.expect, content, where, f"CODEX_HOME/{step.file}")


def _http(run: _Run, step: Step, where: str, timeout: float) -> None:
    url = str(matching.substitute(step.http, run.saved))
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise Stop(Failure("kit", "setup", f"{where}: the kit only calls loopback, not {host!r}"))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 5
    while True:
        try:
            with opener.open(url, timeout=5) as resp:
                status, body = resp.status, resp.read().decode("utf-8", "replace")
            break
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode("utf-8", "replace")
            break
        except OSError as exc:
            if time.monotonic() > deadline:
                run.failures.append(Failure("server", "mismatch", f"GET {url}: {exc}", where))
                return
            time.sleep(0.05)
    if step.status is not None and status != step.status:
        run.failures.append(
            Failure(
                "server", "mismatch", f"GET {url} answered {status}, expected {step.status}", where
            )
        )
    _check(run, step.expect, body, where, f"the body of GET {url}")


def _journal(run: _Run, step: Step, where: str, timeout: float) -> None:
    """Wait until the backend saw requests on a route; check their bodies."""
    wanted = matching.substitute(step.expect, run.saved) if step.expect is not None else None
    deadline = time.monotonic() + timeout
    while True:
        entries = run.tenant.control.journal(route=str(step.journal))
        if entries and (wanted is None or len(entries) >= len(wanted)):
            break
        if time.monotonic() > deadline:
            run.failures.append(
                Failure(
                    "server",
                    "mismatch",
                    f"the backend saw {len(entries)} request(s) on {step.journal} "
                    f"after {timeout:g} s",
                    where,
                )
            )
            return
        time.sleep(0.05)
    if wanted is not None:
        _check(run, wanted, [e.get("body") for e in entries], where, f"requests on {step.journal}")


_STEPS: dict[str, Callable[[_Run, Step, str, float], None]] = {
    "start": _start_step,
    "stop": _stop,
    "request": _request,
    "response": _response,
    "notify": _notify,
    "send": _send,
    "notification": _notification,
    "server_request": _server_request,
    "no_message": _no_message,
    "backend": _backend,
    "file": _file,
    "http": _http,
    "journal": _journal,
    "sleep": _sleep,
}
