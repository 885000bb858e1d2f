"""The kit's pytest entry point: its options, and the mock backend's fixtures, for nearly free.

pytest loads every installed ``pytest11`` plugin at every start, in every project. This
module is what it loads for the kit: it defines the kit's options and the mock backend's
fixtures and imports nothing of ``conformance`` or ``mock_backend`` until they are used
(``--app-server`` or ``--app-server-url`` given, a fixture requested). A user's plain
``pytest`` therefore pays for one small module, and a project with packages of its own
named ``conformance`` or ``mock_backend`` is not disturbed by ours. Its name is unique on
purpose: a top-level module any project could shadow would break every pytest run.

The options are defined here once, as data (:data:`OPTIONS`): pytest reads them, and so
does ``codex-conformance --help``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_backend.model_handle import MockModel
    from mock_backend.tenant_handle import MockTenant
    from mock_backend.thread_runner import BackendThread

#: The pytest group the options are shown under, and its title.
GROUP = ("conformance", "app-server conformance kit (codex-app-server-kit)")


def _baseline_names() -> str:
    """The packaged baselines, from the files beside this module (nothing imported)."""
    folder = Path(__file__).resolve().parent / "conformance" / "baselines"
    names = sorted(path.stem for path in folder.glob("*.yaml"))
    return ", ".join(names) if names else "see codex-conformance --help"


def options() -> list[tuple[str, dict[str, Any]]]:
    """Every option of the kit: (flag, argparse keywords)."""
    return [
        ("--app-server", {"metavar": "CMD", "help": 'Server command, e.g. "codex app-server".'}),
        ("--app-server-url", {"metavar": "URL", "help": "A running server's ws:// URL."}),
        (
            "--app-server-transport",
            {
                "choices": ("stdio", "websocket"),
                "default": "stdio",
                "help": "How to speak to a started server: stdio (default) or websocket "
                "(--listen ws://).",
            },
        ),
        (
            "--app-server-attach",
            {
                "choices": ("proxy", "override"),
                "default": "proxy",
                "help": "Attach the server to the mock through its HTTPS proxy (any release; "
                "default) or through the issuer override (codex 0.163.0 and later).",
            },
        ),
        (
            "--app-server-lacks",
            {
                "action": "append",
                "default": [],
                "metavar": "CAPABILITY",
                "help": "The server does not offer this (repeatable); scenarios needing it "
                "are skipped (codex-conformance --help lists the names).",
            },
        ),
        (
            "--app-server-env",
            {
                "action": "append",
                "default": [],
                "metavar": "NAME=VALUE",
                "help": "Set this variable for the servers the kit starts (repeatable); "
                "variables that redirect codex (proxies, CODEX_*, OPENAI_*, CA files) are "
                "otherwise removed.",
            },
        ),
        (
            "--conformance-baseline",
            {
                "metavar": "PATH|NAME|none",
                "help": "Known deviations of this server (YAML), or a packaged name: "
                + _baseline_names()
                + ". Default: the packaged baseline of the version the server reports (the "
                "nearest older one, with a warning); none: no baseline.",
            },
        ),
        ("--conformance-json", {"metavar": "PATH", "help": "Write the JSON report here."}),
        ("--conformance-markdown", {"metavar": "PATH", "help": "Write a Markdown summary."}),
        (
            "--conformance-html",
            {"metavar": "PATH", "help": "Write a self-contained HTML report."},
        ),
        (
            "--conformance-schema",
            {
                "metavar": "DIR",
                "help": "Judge by this schema bundle instead of the vendored one of the "
                "server's version.",
            },
        ),
        (
            "--conformance-own-schema",
            {
                "action": "store_true",
                "help": "Judge by the schema the server command generates itself (CMD "
                "generate-json-schema) instead of the vendored one of its version.",
            },
        ),
        (
            "--conformance-strict-fields",
            {
                "action": "store_true",
                "help": "A field or method the schema does not declare fails the scenario "
                "(by default it is a warning, unless it looks like a declared field renamed).",
            },
        ),
        (
            "--conformance-catalog",
            {
                "action": "append",
                "default": [],
                "metavar": "DIR",
                "help": "Also collect the scenario files of this folder (repeatable).",
            },
        ),
        (
            "--conformance-only",
            {
                "action": "store_true",
                "help": "Run only the scenarios, not your project's tests (by default, without "
                "paths, both run).",
            },
        ),
        (
            "--conformance-timeout",
            {
                "type": float,
                "default": 10.0,
                "metavar": "SECONDS",
                "help": "How long to wait for each awaited message (default 10).",
            },
        ),
        (
            "--shard",
            {
                "metavar": "I/N",
                "help": "Run only part I of N of the scenarios (split by scenario id; for CI "
                "jobs).",
            },
        ),
        (
            "--mock-backend-control",
            {
                "metavar": "URL",
                "help": "Use a running mock backend (its control URL) instead of an "
                "in-process one.",
            },
        ),
    ]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(*GROUP)
    for flag, keywords in options():
        group.addoption(flag, **keywords)


def kit_asked(config: pytest.Config) -> bool:
    """Whether the kit runs: a server was named (an empty name too: that is an error)."""
    return config.getoption("app_server") is not None or (
        config.getoption("app_server_url") is not None
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if kit_asked(config) and not config.pluginmanager.has_plugin("conformance-kit"):
        _check_not_shadowed()
        from conformance import plugin

        config.pluginmanager.register(plugin, "conformance-kit")


def _check_not_shadowed() -> None:
    """The kit's ``conformance`` package is the one Python finds: a project's own package
    of that name (first on ``sys.path`` under ``python -m pytest``) would stand in for it."""
    import importlib.util

    ours = Path(__file__).resolve().parent / "conformance"
    spec = importlib.util.find_spec("conformance")
    found = Path(spec.origin).resolve().parent if spec and spec.origin else None
    if found != ours:
        raise pytest.UsageError(
            f"the package `conformance` found here ({found}) is not the kit's ({ours}): "
            "a package of your project has its name. Run the kit with the console script "
            "`codex-conformance --app-server CMD`, which your package does not shadow."
        )


# The mock backend's fixtures: declared here, made by mock_backend.pytest_plugin on first use.


@pytest.fixture(scope="session")
def mock_backend() -> Iterator[BackendThread]:
    """One mock backend per session (each xdist worker has its own)."""
    from mock_backend import pytest_plugin

    yield from pytest_plugin.backend()


@pytest.fixture
def mock_tenant(
    mock_backend: BackendThread, request: pytest.FixtureRequest
) -> Iterator[MockTenant]:
    """A tenant of its own for this test (deleted after it): parallel tests share nothing."""
    from mock_backend import pytest_plugin

    yield from pytest_plugin.tenant(mock_backend, request.node.name)


@pytest.fixture
def mock_model(mock_tenant: MockTenant) -> MockModel:
    """The scripted model of this test's tenant: ``mock_model.respond({"text": "hi"})``."""
    from mock_backend import pytest_plugin

    return pytest_plugin.model(mock_tenant)
