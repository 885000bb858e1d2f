"""One pytest run of the kit: what was found before it, what its scenarios brought, the report.

A :class:`ConformanceRun` lives in the config's stash (a second run in one process starts
empty). On the xdist controller, or alone, it asks the preflight questions once (is the
backend there, does the server answer a handshake, which bundle judges it) and hands the
answers to every worker (``workerinput``), so a server that cannot be judged costs one
timeout, not one per scenario, and is reported as one error. It gathers the entries the
workers attach to their test reports, and writes the report, marked ``partial`` when the
run was interrupted (Ctrl-C, or SIGTERM, which it turns into the same clean stop).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from .kit import Kit, not_run
from .pytest_items import MARKER, PROPERTY, SUFFIXES, Catalogs, RunErrorItem, ScenarioItem
from .report import RunReport
from .report_html import write_html
from .results import Failure
from .shard import in_shard

RUN = pytest.StashKey["ConformanceRun"]()
_HANDOFF = "conformance"


class ConformanceRun:
    def __init__(
        self,
        config: pytest.Config,
        kit: Kit,
        catalogs: Catalogs,
        shard: tuple[int, int] | None = None,
    ) -> None:
        self.config = config
        self.kit = kit
        self.catalogs = catalogs
        self.shard = shard  # (I, N) of --shard I/N
        self.entries: list[dict[str, Any]] = []
        #: About the run as a whole: the server or backend unusable, files that are no
        #: scenarios, nothing selected. Each fails the run.
        self.errors: list[Failure] = []
        self.started = time.monotonic()
        self.report: RunReport | None = None
        self.selected: int | None = None
        self.interrupted: str | None = None
        self._previous: dict[int, Any] = {}

    @property
    def worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # Before the run
    def prepare(self) -> None:
        """The controller asks the preflight questions; a worker takes its answers."""
        self._catch_sigterm()
        if self.worker:
            handoff = self.config.workerinput[_HANDOFF]  # type: ignore[attr-defined]
            self.kit.take_handoff(json.loads(handoff))
            return
        if self.config.getoption("collectonly"):
            return
        failure = self.kit.preflight()
        if failure is not None:
            self.errors.append(failure)
            self.config.option.dist = "no"  # no workers: nothing will run
        elif getattr(self.config.option, "dist", "no") != "no":
            self.kit.stop_backend()  # the workers have their own

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_HANDOFF] = json.dumps(self.kit.handoff())

    def _catch_sigterm(self) -> None:
        """SIGTERM stops the run as Ctrl-C does: servers ended, folders removed, report
        written (partial, saying how). The controller passes either signal on to the
        workers; a worker takes the first and ignores the rest, so that a second one
        (the terminal's Ctrl-C reaches every process of the group, then ours comes) does
        not break off the cleanup the first started."""
        with contextlib.suppress(ValueError):  # not the main thread: leave them be
            for number in (signal.SIGTERM, signal.SIGINT):
                self._previous[number] = signal.signal(number, self._on_signal)
        if self.worker:
            (self.kit.run_folder / "workers").mkdir(exist_ok=True)
            (self.kit.run_folder / "workers" / str(os.getpid())).touch()

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        first = self.interrupted is None
        if first:
            self.interrupted = "Ctrl-C" if number == signal.SIGINT else "SIGTERM"
        if self.worker:
            if first:
                raise KeyboardInterrupt
            return
        if first:
            for pid_file in (self.kit.run_folder / "workers").glob("*"):
                with contextlib.suppress(ValueError, OSError):
                    os.kill(int(pid_file.name), signal.SIGTERM)
        raise KeyboardInterrupt

    def restore(self) -> None:
        with contextlib.suppress(ValueError):
            for number, previous in self._previous.items():
                signal.signal(number, previous)
        self._previous.clear()

    # Collection
    @pytest.hookimpl(trylast=True)  # after -k and -m: shards split what is left to run
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # Slow scenarios first: parallel workers then finish together instead of one
        # worker starting a 10-second scenario when the others have run out of work.
        items.sort(
            key=lambda item: not (isinstance(item, ScenarioItem) and "slow" in item.scenario.tags)
        )
        if self.shard is not None:
            scenarios = [item for item in items if isinstance(item, ScenarioItem)]
            keep = in_shard([item.scenario.id for item in scenarios], *self.shard)
            dropped = [item for item in scenarios if item.scenario.id not in keep]
            if dropped:
                self.config.hook.pytest_deselected(items=dropped)
                items[:] = [i for i in items if i not in dropped]
        unknown = self.kit.baseline.unknown({path.stem for path in self.catalogs.files()})
        if unknown:
            raise pytest.UsageError(
                f"the baseline {self.kit.baseline.source} lists scenarios that do not exist: "
                f"{', '.join(unknown)}"
            )
        if self.errors and not self.worker:
            # The server cannot be judged: its scenarios are reported as not run, at once.
            # One failed test stands for them (pytest's summary, JUnit).
            scenarios = [item for item in items if isinstance(item, ScenarioItem)]
            items[:] = [item for item in items if not isinstance(item, ScenarioItem)]
            for item in scenarios:
                self.entries.append(self.kit.entry(not_run(item.scenario, self.errors[0])))
            self.selected = len(scenarios)
            if scenarios:
                items.append(RunErrorItem.standing_for(scenarios, self.errors[0]))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.worker or self.errors:
            return
        count = sum(isinstance(item, ScenarioItem) for item in session.items)
        self.selected = count
        if count == 0:
            self._nothing_selected()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        count = sum(_is_scenario(nodeid) for nodeid in ids)
        self.selected = count
        if count == 0:
            self._nothing_selected()

    def _nothing_selected(self) -> None:
        total = len(self.catalogs.files())
        text = (
            f"no scenario is selected (of {total} in the catalogs): the paths given hold none, "
            "or -k / -m deselect them all; the kit runs with your tests only when at least one "
            "scenario runs (leave out --app-server to run your tests alone)"
        )
        self.errors.append(Failure("kit", "setup", text))
        raise pytest.UsageError(text)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A scenario file that is no scenario is an error of the run, not only pytest's."""
        if report.failed and Path(report.nodeid.split("::")[0]).suffix in SUFFIXES:
            text = str(getattr(report.longrepr, "longrepr", report.longrepr)).strip()
            failure = Failure("kit", "setup", text.removeprefix("kit fault, setup: "))
            if failure not in self.errors:
                self.errors.append(failure)

    # The run
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, str):
                self.entries.append(json.loads(value))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker:
            return
        missing = self.selected is not None and len(self.entries) < self.selected
        if self.interrupted is None and missing and not self.errors:
            self.interrupted = "stopped before the end: -x, --maxfail or a crash"
        self.report = self.kit.report_entries(
            self.entries,
            time.monotonic() - self.started,
            errors=self.errors,
            interrupted=self.interrupted,
            selected=self.selected,
        )
        self._write(self.report)
        if self.errors and session.exitstatus in (pytest.ExitCode.OK, 5):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _write(self, report: RunReport) -> None:
        option = self.config.getoption
        if path := option("conformance_json"):
            report.write_json(Path(path))
        if path := option("conformance_markdown"):
            report.write_markdown(Path(path))
        if path := option("conformance_html"):
            write_html(report, Path(path))
        if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(report.markdown())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("app-server conformance")
        for line in self.report.console():
            terminalreporter.write_line(line)
        for option in ("conformance_json", "conformance_markdown", "conformance_html"):
            if path := self.config.getoption(option):
                terminalreporter.write_line(f"report written: {path}")


def _is_scenario(nodeid: str) -> bool:
    path, _, name = nodeid.partition("::")
    return Path(path).suffix in SUFFIXES and Path(path).stem == name


__all__ = ["MARKER", "RUN", "ConformanceRun"]
