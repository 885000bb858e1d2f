"""pytest plugin: every scenario of the catalog becomes a test item.

Inactive unless ``--app-server CMD`` or ``--app-server-url URL`` is given, so it never
touches other test suites. Given one of them and no paths, the packaged catalog is
collected. The work is done by :class:`conformance.kit.Kit`; this module only maps
results onto pytest outcomes and writes the reports (on the xdist controller, from
the results each worker attaches to its test reports).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .baseline import Baseline, BaselineError
from .bundles import SchemaChoice, open_choice, override
from .kit import Kit
from .report import RunReport
from .results import ScenarioResult
from .scenario import CAPABILITIES, CATALOG, Scenario, ScenarioFileError, load
from .schema_check import SchemaSetError
from .shard import ShardError, in_shard, parse_shard
from .target import Target, TargetError

BASELINES = Path(__file__).resolve().parent / "baselines"
_KIT = pytest.StashKey[Kit]()
_REPORT = pytest.StashKey[RunReport]()
_STARTED = pytest.StashKey[float]()
PROPERTY = "conformance"
#: Results as the test reports bring them (from xdist workers too), for the run's report.
_collected: list[dict[str, Any]] = []


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
        metavar="PATH|NAME",
        help="Known deviations of this server (YAML), or a packaged name: "
        + ", ".join(sorted(p.stem for p in BASELINES.glob("*.yaml"))),
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
    try:
        target = Target.from_options(
            config.getoption("app_server"),
            config.getoption("app_server_url"),
            config.getoption("app_server_transport"),
            config.getoption("app_server_attach"),
        )
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = [str(p) for p in _catalogs(config)]
    baseline = _baseline(config.getoption("conformance_baseline"))
    schema = _schema(config, target)
    kit = Kit(
        target,
        schema=schema,
        baseline=baseline,
        timeout=config.getoption("conformance_timeout"),
        backend_control=config.getoption("mock_backend_control"),
        lacks=frozenset(config.getoption("app_server_lacks")),
        strict_fields=config.getoption("conformance_strict_fields"),
    )
    config.stash[_KIT] = kit
    config.stash[_REPORT] = RunReport(
        server=target.name,
        server_version=None,
        schema=kit.schema_choice.name if kit.schema_choice else "(no scenario ran)",
        baseline=baseline.source or None,
        schema_reason=kit.schema_choice.reason if kit.schema_choice else None,
    )
    config.stash[_STARTED] = time.monotonic()


def _baseline(option: str | None) -> Baseline:
    if not option:
        return Baseline.empty()
    path = Path(option)
    if not path.exists() and (BASELINES / f"{option}.yaml").is_file():
        path = BASELINES / f"{option}.yaml"
    try:
        return Baseline.load(path)
    except BaselineError as exc:
        raise pytest.UsageError(str(exc)) from None


def _schema(config: pytest.Config, target: Target) -> SchemaChoice | None:
    """The bundle the user named, opened now (a bad one is a usage error); None: the
    vendored bundle of the server's version, chosen once the kit knows it."""
    folder = config.getoption("conformance_schema")
    own = config.getoption("conformance_own_schema")
    if folder and own:
        raise pytest.UsageError(
            "give at most one of --conformance-schema and --conformance-own-schema"
        )
    if folder:
        choice = override(Path(folder), "--conformance-schema")
    elif own:
        choice = _own_schema(target)
    else:
        return None
    try:
        open_choice(choice, config.getoption("conformance_strict_fields"))
    except SchemaSetError as exc:
        raise pytest.UsageError(str(exc)) from None
    return choice


def _own_schema(target: Target) -> SchemaChoice:
    import subprocess

    if target.argv is None:
        raise pytest.UsageError("--conformance-own-schema needs --app-server CMD")
    out = Path(tempfile.mkdtemp(prefix="own-schema-"))
    proc = subprocess.run(
        [*target.argv, "generate-json-schema", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise pytest.UsageError(
            f"`{target.name} generate-json-schema` failed: {proc.stderr.strip()[-400:]}"
        )
    name = f"{target.name} generate-json-schema"
    return SchemaChoice(name, out, "--conformance-own-schema: the server's own schema")


def pytest_unconfigure(config: pytest.Config) -> None:
    kit = config.stash.get(_KIT, None)
    if kit is not None:
        kit.__exit__(None, None, None)


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
        kit = self.config.stash[_KIT].start()
        result = kit.run(self.scenario)
        choice = kit.schema_choice
        payload = {
            **result.to_json(),
            "server_version": kit.options.server_version,
            "schema": choice.name if choice else None,
            "schema_reason": choice.reason if choice else None,
            "schema_warning": choice.warning if choice else None,
        }
        self.user_properties.append((PROPERTY, json.dumps(payload)))
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


@pytest.hookimpl(trylast=True)  # after -k and -m: shards split what is left to run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kit = config.stash.get(_KIT, None)
    if kit is None:
        return
    # Slow scenarios first: parallel workers then finish together instead of one
    # worker starting a 10-second scenario when the others have run out of work.
    items.sort(
        key=lambda item: not (isinstance(item, ScenarioItem) and "slow" in item.scenario.tags)
    )
    if shard := config.getoption("shard"):
        _keep_shard(config, items, shard)
    all_ids = {path.stem for folder in _catalogs(config) for path in folder.glob("*.y*ml")}
    unknown = kit.baseline.unknown(all_ids)
    if unknown:
        raise pytest.UsageError(
            f"the baseline {kit.baseline.source} lists scenarios that do not exist: "
            f"{', '.join(unknown)}"
        )


def _keep_shard(config: pytest.Config, items: list[pytest.Item], shard: str) -> None:
    try:
        index, count = parse_shard(shard)
    except ShardError as exc:
        raise pytest.UsageError(str(exc)) from None
    ids = [item.scenario.id for item in items if isinstance(item, ScenarioItem)]
    keep = in_shard(ids, index, count)
    dropped = [i for i in items if isinstance(i, ScenarioItem) and i.scenario.id not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == PROPERTY and isinstance(value, str):
            _collected.append(json.loads(value))


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    run = config.stash.get(_REPORT, None)
    if run is None or hasattr(config, "workerinput"):
        return
    run.results = [ScenarioResult.from_json(data) for data in _collected]
    versions = sorted({str(d["server_version"]) for d in _collected if d.get("server_version")})
    run.server_version = versions[0] if versions else None
    # Every worker chooses the bundle for itself; they agree unless the server changed.
    chosen = sorted({(d["schema"], d["schema_reason"]) for d in _collected if d.get("schema")})
    if chosen:
        run.schema = " + ".join(name for name, _ in chosen)
        run.schema_reason = "; ".join(reason for _, reason in chosen)
    run.warnings = sorted({str(d["schema_warning"]) for d in _collected if d.get("schema_warning")})
    run.wall_seconds = time.monotonic() - config.stash[_STARTED]
    if path := config.getoption("conformance_json"):
        run.write_json(Path(path))
    if path := config.getoption("conformance_markdown"):
        run.write_markdown(Path(path))
    import os

    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(run.markdown())


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(_REPORT, None)
    if run is None or hasattr(config, "workerinput"):
        return
    terminalreporter.section("app-server conformance")
    for line in run.console():
        terminalreporter.write_line(line)
    for option in ("conformance_json", "conformance_markdown"):
        if path := config.getoption(option):
            terminalreporter.write_line(f"report written: {path}")
