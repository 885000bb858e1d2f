"""pytest plugin: every scenario of the catalog becomes a test item.

Inactive unless ``--app-server CMD`` or ``--app-server-url URL`` is given, so it never
touches other test suites. Given one of them and no paths, the packaged catalog is
collected. A thin face: the options make a :class:`conformance.kit.Kit`, which does the
work (baseline, schema, runs, the report); this module maps results onto pytest
outcomes and hands the report its entries (on the xdist controller, from the entries
each worker attaches to its test reports). Everything a run holds lives in its
:class:`ConformanceRun`, in the config's stash: a second run in one process starts
empty.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .baseline import BaselineError, packaged
from .baseline_choice import NONE
from .baseline_choice import named as baseline_named
from .bundles import override
from .capabilities import CAPABILITIES
from .kit import Kit
from .report import RunReport
from .results import ScenarioResult
from .scenario import CATALOG, Scenario, ScenarioFileError, load
from .schema_check import SchemaSetError
from .shard import ShardError, in_shard, parse_shard
from .target import Target, TargetError

_RUN = pytest.StashKey["ConformanceRun"]()
PROPERTY = "conformance"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "app-server conformance kit")
    group.addoption("--app-server", metavar="CMD", help='Server command, e.g. "codex app-server".')
    group.addoption("--app-server-url", metavar="URL", help="A running server's ws:// URL.")
    group.addoption(
        "--app-server-transport",
        choices=("stdio", "websocket"),
        default="stdio",
        help="How to speak to a started server: stdio (default) or websocket (--listen ws://).",
    )
    group.addoption(
        "--app-server-attach",
        choices=("proxy", "override"),
        default="proxy",
        help="Attach the server to the mock through its HTTPS proxy (any release; default) "
        "or through the issuer override (codex 0.163.0 and later).",
    )
    group.addoption(
        "--app-server-lacks",
        action="append",
        default=[],
        choices=CAPABILITIES,
        metavar="CAPABILITY",
        help="The server does not offer this (repeatable); scenarios needing it are skipped. "
        "One of: " + ", ".join(CAPABILITIES),
    )
    group.addoption(
        "--conformance-baseline",
        metavar="PATH|NAME|none",
        help="Known deviations of this server (YAML), or a packaged name: "
        + ", ".join(packaged())
        + f". Default: the packaged baseline of the version the server reports (the nearest "
        f"older one, with a warning); {NONE}: no baseline.",
    )
    group.addoption("--conformance-json", metavar="PATH", help="Write the JSON report here.")
    group.addoption("--conformance-markdown", metavar="PATH", help="Write a Markdown summary.")
    group.addoption(
        "--conformance-schema",
        metavar="DIR",
        help="Judge by this schema bundle instead of the vendored one of the server's version.",
    )
    group.addoption(
        "--conformance-own-schema",
        action="store_true",
        help="Judge by the schema the server command generates itself (CMD "
        "generate-json-schema) instead of the vendored one of its version.",
    )
    group.addoption(
        "--conformance-strict-fields",
        action="store_true",
        help="A field or method the schema does not declare fails the scenario "
        "(by default it is a warning, unless it looks like a declared field renamed).",
    )
    group.addoption(
        "--conformance-catalog",
        action="append",
        default=[],
        metavar="DIR",
        help="Also collect the scenario files of this folder (repeatable).",
    )
    group.addoption(
        "--conformance-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="How long to wait for each awaited message (default 10).",
    )
    group.addoption(
        "--shard",
        metavar="I/N",
        help="Run only part I of N of the scenarios (split by scenario id; for CI jobs).",
    )
    group.addoption(
        "--mock-backend-control",
        metavar="URL",
        help="Use a running mock backend (its control URL) instead of an in-process one.",
    )


def _active(config: pytest.Config) -> bool:
    return bool(config.getoption("app_server") or config.getoption("app_server_url"))


def _catalogs(config: pytest.Config) -> list[Path]:
    return [CATALOG, *(Path(p).resolve() for p in config.getoption("conformance_catalog"))]


def pytest_configure(config: pytest.Config) -> None:
    if not _active(config):
        return
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(p) for p in _catalogs(config)]
    try:
        shard = parse_shard(config.getoption("shard")) if config.getoption("shard") else None
        kit = _kit(config)
    except (TargetError, BaselineError, SchemaSetError, ShardError) as exc:
        raise pytest.UsageError(str(exc)) from None
    run = ConformanceRun(config, kit, shard)
    config.stash[_RUN] = run
    config.pluginmanager.register(run, "conformance-run")


def _kit(config: pytest.Config) -> Kit:
    """The kit the options describe; a bad option raises the core's own error."""
    target = Target.from_options(
        config.getoption("app_server"),
        config.getoption("app_server_url"),
        config.getoption("app_server_transport"),
        config.getoption("app_server_attach"),
    )
    named = config.getoption("conformance_baseline")
    folder = config.getoption("conformance_schema")
    own = config.getoption("conformance_own_schema")
    if folder and own:
        raise pytest.UsageError(
            "give at most one of --conformance-schema and --conformance-own-schema"
        )
    kit = Kit(
        target,
        schema=override(Path(folder), "--conformance-schema") if folder else None,
        baseline=baseline_named(named) if named else "auto",
        timeout=config.getoption("conformance_timeout"),
        backend_control=config.getoption("mock_backend_control"),
        lacks=frozenset(config.getoption("app_server_lacks")),
        strict_fields=config.getoption("conformance_strict_fields"),
    )
    try:
        if own:
            kit.judge_by_own_schema()
        if kit.schema_choice is not None:
            kit.schema()  # a bundle the user named is opened now: a bad one is a usage error
    except BaseException:
        kit.__exit__(None, None, None)
        raise
    return kit


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is not None:
        run.kit.__exit__(None, None, None)
        config.pluginmanager.unregister(run)
        del config.stash[_RUN]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if not _active(config) or file_path.suffix not in (".yaml", ".yml"):
        return None
    if file_path.parent.resolve() not in _catalogs(config):
        return None
    collector: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
    return collector


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[ScenarioItem]:
        try:
            scenario = load(self.path)
        except ScenarioFileError as exc:
            raise self.CollectError(str(exc)) from None
        item: ScenarioItem = ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)
        yield item


class ScenarioFailed(Exception):
    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.explain())
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        kit = self.config.stash[_RUN].kit.start()
        result = kit.run(self.scenario)
        self.user_properties.append((PROPERTY, json.dumps(kit.entry(result))))
        if result.outcome == "skipped":
            pytest.skip(result.reason or "does not apply")
        if result.outcome == "xfailed":
            pytest.xfail(f"known deviation: {result.reason}")
        if result.outcome == "failed":
            raise ScenarioFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.scenario.id}: {self.scenario.title}"


class ConformanceRun:
    """One pytest run: its kit, and the entries its test reports brought (from xdist
    workers too), for the run's report."""

    def __init__(
        self, config: pytest.Config, kit: Kit, shard: tuple[int, int] | None = None
    ) -> None:
        self.config = config
        self.kit = kit
        self.shard = shard  # (I, N) of --shard I/N
        self.entries: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self.report: RunReport | None = None

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
        all_ids = {path.stem for folder in _catalogs(self.config) for path in folder.glob("*.y*ml")}
        unknown = self.kit.baseline.unknown(all_ids)
        if unknown:
            raise pytest.UsageError(
                f"the baseline {self.kit.baseline.source} lists scenarios that do not exist: "
                f"{', '.join(unknown)}"
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, str):
                self.entries.append(json.loads(value))

    def pytest_sessionfinish(self) -> None:
        if hasattr(self.config, "workerinput"):
            return
        self.report = self.kit.report_entries(self.entries, time.monotonic() - self.started)
        if path := self.config.getoption("conformance_json"):
            self.report.write_json(Path(path))
        if path := self.config.getoption("conformance_markdown"):
            self.report.write_markdown(Path(path))
        if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(self.report.markdown())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("app-server conformance")
        for line in self.report.console():
            terminalreporter.write_line(line)
        for option in ("conformance_json", "conformance_markdown"):
            if path := self.config.getoption(option):
                terminalreporter.write_line(f"report written: {path}")
