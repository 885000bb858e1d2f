"""The catalog against one release, in a process of its own.

Each release runs ``python -m conformance --app-server "BINARY app-server"`` exactly as a
user would (its packaged baseline when there is one, its JSON report into the release's
folder), so a release that hangs or crashes the kit takes only its own column down, and
releases run side by side without sharing anything but the machine. The process group
is ended on every path (a run that outlives its time limit, an interrupted matrix).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..baseline import BASELINES
from ..baseline_choice import NONE
from ..report import first_line
from ..results import Failure
from ..transport import stop_group
from .record import ReleaseResult


@dataclass(frozen=True)
class RunSettings:
    """What every release's catalog run gets: ``workers`` is its ``-n``."""

    workers: int = 1
    keyword: str | None = None  # pytest -k
    shard: str | None = None  # "i/n"
    scenario_timeout: float | None = None  # --conformance-timeout
    time_limit: float = 1800.0  # the whole run of one release
    catalogs: tuple[Path, ...] = ()  # --conformance-catalog


def packaged_baseline(version: str) -> str | None:
    """The baseline the project holds this release to, when it ships one."""
    return f"codex-{version}" if (BASELINES / f"codex-{version}.yaml").is_file() else None


def command(
    binary: Path, version: str, report: Path, settings: RunSettings, schema: Path | None = None
) -> list[str]:
    """The catalog run of one release; ``schema``: the bundle to judge it by when the kit
    vendors none of its own (else the kit would judge it by an older release's bundle)."""
    argv = [
        sys.executable,
        "-m",
        "conformance",
        "--app-server",
        f"{shlex.quote(str(binary))} app-server",
    ]
    argv += ["-n", str(settings.workers), "-p", "no:cacheprovider", "-q"]
    argv += ["--conformance-json", str(report)]
    if schema is not None:
        argv += ["--conformance-schema", str(schema)]
    # Only a release's own baseline: an older release's (what the kit picks by default for
    # a version without one) would report its fixed deviations as stale entries.
    argv += ["--conformance-baseline", packaged_baseline(version) or NONE]
    if settings.keyword:
        argv += ["-k", settings.keyword]
    if settings.shard:
        argv += ["--shard", settings.shard]
    if settings.scenario_timeout is not None:
        argv += ["--conformance-timeout", str(settings.scenario_timeout)]
    for catalog in settings.catalogs:
        argv += ["--conformance-catalog", str(catalog)]
    return argv


class RunsEnded(RuntimeError):
    """The matrix is being interrupted: no new catalog run may start."""


@dataclass
class Processes:
    """The catalog runs in flight, so an interrupted matrix ends every one of them."""

    running: set[subprocess.Popen[bytes]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False  # set by end_all: a run that was about to start does not

    @contextmanager
    def started(self, argv: list[str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
        with self.lock:
            if self.closed:
                raise RunsEnded("the matrix is ending; no catalog run starts any more")
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            self.running.add(proc)
        try:
            yield proc
        finally:
            _end(proc)
            with self.lock:
                self.running.discard(proc)

    def end_all(self) -> None:
        with self.lock:
            self.closed = True
            procs = list(self.running)
        for proc in procs:
            _end(proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the run's process group (the kit ends its servers), SIGKILL after 10 s."""
    stop_group(proc, grace=10.0)


def run_catalog(
    release: ReleaseResult,
    binary: Path,
    folder: Path,
    settings: RunSettings,
    processes: Processes,
    schema: Path | None = None,
) -> None:
    """Run the catalog against ``binary`` and fill ``release`` from its report."""
    folder.mkdir(parents=True, exist_ok=True)
    report, log = folder / "report.json", folder / "console.txt"
    report.unlink(missing_ok=True)
    argv = command(binary, release.version, report, settings, schema)
    with processes.started(argv, folder, log) as proc:
        try:
            code = proc.wait(timeout=settings.time_limit)
        except subprocess.TimeoutExpired:
            release.error = _environment(
                f"the catalog run did not end within {settings.time_limit:.0f} s; "
                f"its console: {log}"
            )
            return
    if not report.is_file():
        tail = _tail(log)
        release.error = _environment(
            f"the catalog run ended with exit code {code} and wrote no report: {tail}"
        )
        return
    absorb(release, json.loads(report.read_text(encoding="utf-8")))


def absorb(release: ReleaseResult, data: dict[str, Any]) -> None:
    """Take a conformance JSON report into ``release``: outcomes, reasons, what judged it.

    A report whose run found the server unusable before any scenario (its preflight: a
    binary that will not start, that does not answer ``initialize``) lists that once in
    its ``errors``; the release gets it as its one fault and no scenario outcomes, as
    none of them ran."""
    if errors := [e for e in data.get("errors", []) if e.get("fault") == "environment"]:
        release.error = _environment(_one_line(str(errors[0].get("message", ""))))
        return
    release.server_version = data.get("server_version")
    release.schema = data.get("schema")
    baseline = data.get("baseline")
    release.baseline = Path(baseline).stem if baseline and baseline != NONE else None
    release.schema_gaps = sorted(
        {f"{gap['method']} {gap['path']}" for gap in data.get("schema_gaps", [])}
    )
    scenarios = data.get("scenarios", [])
    for scenario in scenarios:
        release.scenarios[scenario["id"]] = scenario["outcome"]
        if why := reason_of(scenario):
            release.reasons[scenario["id"]] = why


def reason_of(scenario: dict[str, Any]) -> str | None:
    outcome = scenario["outcome"]
    if outcome == "failed":
        return (
            "; ".join(
                f"{failure.heading}: {first_line(failure.message, 300)}"
                for failure in (Failure(**f) for f in scenario.get("failures", [])[:2])
            )
            or None
        )
    if outcome == "xfailed":
        return f"known deviation: {scenario.get('reason')}"
    if outcome == "skipped":
        return str(scenario.get("reason") or "does not apply")
    return None


def _environment(message: str) -> dict[str, str]:
    return {"fault": "environment", "message": message}


def _one_line(text: str) -> str:
    """A multi-line message (what failed, what to do, the stderr tail) as one table cell."""
    line = " / ".join(part.strip() for part in text.strip().splitlines() if part.strip())
    return line if len(line) <= 600 else line[:599] + "…"


def _tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "(no console output)"
    return " / ".join(lines[-3:])[-600:] or "(no console output)"
