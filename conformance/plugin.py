"""pytest plugin: every scenario of the catalogs becomes a test item, beside your own tests.

Registered by the kit's entry module (``codex_app_server_kit_plugin``, which defines the
options) only when ``--app-server CMD`` or ``--app-server-url URL`` is given, so it never
touches other test suites. Given one, the scenarios are collected with whatever pytest
would collect anyway (your tests, or the paths given); ``--conformance-only`` (what
``codex-conformance`` passes) collects the scenarios alone. A thin face: the options
make a :class:`conformance.kit.Kit`, which does the work (baseline, schema, runs, the
report); :mod:`conformance.pytest_run` holds the run, :mod:`conformance.pytest_items`
the items.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .baseline import BaselineError
from .baseline_choice import named as baseline_named
from .bundles import override
from .capabilities import CAPABILITIES
from .kit import Kit
from .method_names import KnownMethods, known_methods
from .pytest_items import MARKER, Catalogs, ScenarioFile
from .pytest_run import RUN, ConformanceRun
from .schema_check import SchemaSetError
from .shard import ShardError, parse_shard
from .target import Target, TargetError, check_loopback
from .transport import stop_all

_METHODS = pytest.StashKey[KnownMethods]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a scenario of the app-server conformance kit")
    try:
        shard = parse_shard(config.getoption("shard")) if config.getoption("shard") else None
        catalogs = Catalogs.of(config.getoption("conformance_catalog"))
        kit = _kit(config)
    except (TargetError, BaselineError, SchemaSetError, ShardError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    _arrange_paths(config, catalogs)
    run = ConformanceRun(config, kit, catalogs, shard)
    config.stash[RUN] = run
    config.pluginmanager.register(run, "conformance-run")
    try:
        if config.getoption("conformance_own_schema") and not run.worker:
            kit.judge_by_own_schema()  # once per run: the workers are handed the folder
        if kit.schema_choice is not None and not run.worker:
            kit.schema()  # a bundle the user named is opened now: a bad one is a usage error
        run.prepare()
    except SchemaSetError as exc:
        raise pytest.UsageError(str(exc)) from None


def _arrange_paths(config: pytest.Config, catalogs: Catalogs) -> None:
    """The scenarios join what pytest collects: the paths given, or its default (your
    ``testpaths``, the current folder); alone with ``--conformance-only``. Paths that are
    catalogs or scenario files already say what to run."""
    folders = [str(folder) for folder in catalogs.folders]
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args[:] = folders if config.getoption("conformance_only") else config.args + folders
    elif not any(catalogs.holds(Path(arg.split("::")[0])) for arg in config.args):
        config.args.extend(folders)


def _kit(config: pytest.Config) -> Kit:
    """The kit the options describe; a bad option raises the core's own error."""
    target = Target.from_options(
        config.getoption("app_server"),
        config.getoption("app_server_url"),
        config.getoption("app_server_transport"),
        config.getoption("app_server_attach"),
    )
    target.extra_env.update(_assignments(config.getoption("app_server_env")))
    lacks = config.getoption("app_server_lacks")
    if unknown := sorted(set(lacks) - set(CAPABILITIES)):
        raise TargetError(
            f"--app-server-lacks {', '.join(unknown)}: not a capability (one of "
            f"{', '.join(CAPABILITIES)})"
        )
    if control := config.getoption("mock_backend_control"):
        check_loopback(control, "--mock-backend-control")
    named = config.getoption("conformance_baseline")
    folder = config.getoption("conformance_schema")
    if folder and config.getoption("conformance_own_schema"):
        raise TargetError("give at most one of --conformance-schema and --conformance-own-schema")
    handoff = getattr(config, "workerinput", {}).get("conformance")
    return Kit(
        target,
        schema=override(Path(folder), "--conformance-schema") if folder else None,
        baseline=baseline_named(named) if named else "auto",
        timeout=config.getoption("conformance_timeout"),
        backend_control=control,
        inside=Path(json.loads(handoff)["run_folder"]) if handoff else None,
        lacks=frozenset(lacks),
        strict_fields=config.getoption("conformance_strict_fields"),
    )


def _assignments(given: list[str]) -> dict[str, str]:
    found = {}
    for text in given:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise TargetError(f"--app-server-env {text!r}: write NAME=VALUE")
        found[name] = value
    return found


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is not None:
        if run.interrupted:
            stop_all()  # a server started the moment the run was stopped
        run.restore()
        run.kit.__exit__(None, None, None)
        config.pluginmanager.unregister(run)
        del config.stash[RUN]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    run = config.stash.get(RUN, None)
    if run is None or not run.catalogs.holds(file_path):
        return None
    return ScenarioFile.of(parent, file_path, _methods(config, run), run.kit)


def _methods(config: pytest.Config, run: ConformanceRun) -> KnownMethods:
    """The method names scenario steps may use: the vendored bundles', and the bundle this
    run judges by when it is not one of them."""
    if _METHODS not in config.stash:
        choice = run.kit.schema_choice
        extra = (
            () if choice is None or choice.folder.parent == run.kit.bundles else (choice.folder,)
        )
        config.stash[_METHODS] = known_methods(extra)
    return config.stash[_METHODS]
