"""The whole catalog, scenario by scenario, against the real releases and our server.

0.163.0 and the reference server are attached through the proxy, as any release can be;
0.163.0 once more over its websocket transport and once attached through the issuer
override instead of the proxy; 0.133.0 (from PyPI, cached), 0.169.0 and 0.171.0 (from
npm, cached) through the proxy too. Each is judged by the vendored bundle of its own
version. A known deviation passes only as a baseline entry (xfailed, with its reason);
a baseline entry that no longer fails is reported stale and fails.

The conversation scenarios (tag ``conversation``) each hold a turn or more with the
mock's model, so they are the catalog's dearest; they run in full where a conversation
tells the most: the reference server (which claims a conversation like 0.163.0's), the
release the reference follows (0.163.0 over stdio) and the newest (0.171.0). Elsewhere
only what that target adds is worth the time, so a subset runs, by tag (``SUBSET``):
the websocket transport and 0.169.0 the ``smoke`` ones (a turn, a stream, an approval,
the catalog); 0.133.0 the same, since it holds a conversation with the mock too; the
issuer override the ``smoke`` ones that do not read the backend's model catalog, because
that attach moves the model endpoint (the workspace origin) but not the catalog request,
which cannot reach the catalog there (thread/start waits ~6 s for it and falls back to
the catalog built into the binary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.baseline import BASELINES, Baseline
from conformance.kit import Kit
from conformance.releases import codex_binary
from conformance.scenario import CATALOG, catalog_files, load
from conformance.steps.awaiting import Notification, ServerRequest
from conformance.steps.items import Item
from conformance.steps.messages import Request
from conformance.steps.model import ModelRequest
from conformance.target import Target
from conformance.versions import version_key

from .conftest import REFERENCE

TARGETS: dict[str, Callable[[], Target]] = {
    "reference": lambda: Target(argv=REFERENCE),
    "codex-0.163.0": lambda: Target(argv=[str(codex_binary("0.163.0")), "app-server"]),
    "codex-0.163.0-websocket": lambda: Target(
        argv=[str(codex_binary("0.163.0")), "app-server"], transport="websocket"
    ),
    "codex-0.163.0-override": lambda: Target(
        argv=[str(codex_binary("0.163.0")), "app-server"], attach="override"
    ),
    "codex-0.133.0": lambda: Target(argv=[str(codex_binary("0.133.0")), "app-server"]),
    "codex-0.169.0": lambda: Target(argv=[str(codex_binary("0.169.0")), "app-server"]),
    "codex-0.171.0": lambda: Target(argv=[str(codex_binary("0.171.0")), "app-server"]),
}
BASELINE_OF = {
    "codex-0.163.0": "codex-0.163.0",
    "codex-0.163.0-websocket": "codex-0.163.0",
    "codex-0.163.0-override": "codex-0.163.0",
    "codex-0.133.0": "codex-0.133.0",
    "codex-0.169.0": "codex-0.169.0",
    "codex-0.171.0": "codex-0.171.0",
}
#: target -> (tags a conversation scenario needs to run there, tags that keep it out);
#: targets not listed run every conversation scenario (see the module docstring).
SUBSET: dict[str, tuple[set[str], set[str]]] = {
    "codex-0.163.0-websocket": ({"smoke"}, set()),
    "codex-0.169.0": ({"smoke"}, set()),
    "codex-0.133.0": ({"smoke"}, set()),
    "codex-0.163.0-override": ({"smoke"}, {"model-catalog"}),
}


def runs_on(target: str, tags: list[str]) -> bool:
    """Whether a scenario with these tags runs on this target."""
    if "conversation" not in tags or target not in SUBSET:
        return True
    needed, kept_out = SUBSET[target]
    return bool(needed & set(tags)) and not kept_out & set(tags)


PAIRS = [
    (target, path.stem)
    for path in catalog_files()
    for target in sorted(TARGETS)
    if runs_on(target, load(path).tags)
]


@pytest.fixture(scope="module")
def kits() -> Iterator[dict[str, Kit]]:
    opened: dict[str, Kit] = {}
    yield opened
    for kit in opened.values():
        kit.__exit__(None, None, None)


def kit_for(kits: dict[str, Kit], name: str) -> Kit:
    if name not in kits:
        baseline = (
            Baseline.load(BASELINES / f"{BASELINE_OF[name]}.yaml")
            if name in BASELINE_OF
            else Baseline.empty()
        )
        kits[name] = Kit(TARGETS[name](), baseline=baseline).start()
    return kits[name]


@pytest.mark.real_binary
@pytest.mark.parametrize(("target", "scenario_id"), PAIRS)
def test_scenario(kits: dict[str, Kit], target: str, scenario_id: str) -> None:
    kit = kit_for(kits, target)
    scenario = load(CATALOG / f"{scenario_id}.yaml")
    result = kit.run(scenario)
    # Every target is a process the kit starts with every capability: nothing may skip but
    # a scenario about what a later release added.
    if result.outcome == "skipped":
        needs, version = scenario.requires.min_version, kit.options.server_version
        assert needs and version, result.explain()
        assert version_key(version) < version_key(needs), result.explain()
        return
    assert result.outcome in ("passed", "xfailed"), result.explain()
    assert kit.schema_choice is not None
    assert kit.schema_choice.name == f"codex-{kit.options.server_version}"


def test_the_catalog_pins_no_shape_the_protocol_leaves_open() -> None:
    """`$exact` is for where the protocol pins a shape, and on the account surface no
    vendored bundle pins one (no `additionalProperties: false` in any of its types), so
    the catalog uses it nowhere: a release adding an optional field passes."""
    from conformance.bundles import BUNDLES, versions

    account_types = [
        path
        for version in versions()
        for path in (BUNDLES / version).rglob("*.json")
        if "Account" in path.name or path.name.startswith(("Login", "Logout", "CancelLogin"))
    ]
    assert len(account_types) > 40
    assert [p for p in account_types if '"additionalProperties": false' in p.read_text()] == []
    assert [p.name for p in catalog_files() if "$exact" in p.read_text()] == []


def test_the_catalog_covers_the_account_surface() -> None:
    scenarios = [load(path) for path in catalog_files()]
    assert len(scenarios) >= 30
    steps = [step for s in scenarios for step in s.steps]
    methods = {step.request for step in steps if isinstance(step, Request)}
    awaited = {step.value for step in steps if isinstance(step, (Notification, ServerRequest))}
    assert {
        "initialize",
        "account/read",
        "account/login/start",
        "account/login/cancel",
        "account/logout",
        "account/rateLimits/read",
    } <= methods
    assert {
        "account/login/completed",
        "account/updated",
        "account/chatgptAuthTokens/refresh",
    } <= awaited
    login_types = {
        step.params.get("type")
        for step in steps
        if isinstance(step, Request)
        and step.request == "account/login/start"
        and isinstance(step.params, dict)
    }
    assert {"apiKey", "chatgpt", "chatgptDeviceCode", "chatgptAuthTokens"} <= login_types


def test_the_catalog_covers_the_conversation_surface() -> None:
    scenarios = [load(path) for path in catalog_files()]
    talks = [s for s in scenarios if "conversation" in s.tags]
    assert len(talks) >= 25
    steps = [step for s in talks for step in s.steps]
    methods = {step.request for step in steps if isinstance(step, Request)}
    assert {
        "thread/start",
        "thread/resume",
        "turn/start",
        "turn/interrupt",
        "model/list",
    } <= methods
    assert {step.item for step in steps if isinstance(step, Item)} >= {
        "agentMessage",
        "reasoning",
        "commandExecution",
        "userMessage",
    }
    decisions = {
        step.respond["decision"]
        for step in steps
        if isinstance(step, ServerRequest) and isinstance(step.respond, dict)
    }
    assert decisions == {"accept", "decline", "cancel"}
    assert any(isinstance(step, ModelRequest) for step in steps)
    # Every target runs some of them; the subsets are what the docstring says.
    for target in TARGETS:
        assert any(runs_on(target, s.tags) for s in talks), target
    assert sum(runs_on("codex-0.163.0-override", s.tags) for s in talks) >= 2


def test_the_catalog_page_is_what_the_scenario_files_say() -> None:
    from conformance.catalog_doc import REGENERATE, render
    from conformance.scenario import load_catalog

    page = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"
    assert page.read_text() == render(load_catalog()), f"docs/catalog.md is stale: {REGENERATE}"
