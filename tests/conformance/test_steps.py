"""The step registry: each kind declared once, the docs table its own, and each kind
taking its own qualifiers and no other."""

from __future__ import annotations

from pathlib import Path

import pytest

import conformance.steps
from conformance.scenario import ScenarioFileError, load
from conformance.steps import KINDS, StepKind
from conformance.steps.table import docs_table
from tests.support.registry import subclasses_defined_in

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
#: A valid value for each kind's action key.
VALUES = {
    "backend": {"deny": "X"},
    "file": "auth.json",
    "http": "http://127.0.0.1:1/",
    "item": "agentMessage",
    "journal": "token",
    "model_request": 1,
    "no_message": "account/updated",
    "notification": "account/updated",
    "notify": "initialized",
    "request": "account/read",
    "response": "r",
    "send": "x",
    "server_request": "account/chatgptAuthTokens/refresh",
    "sleep": 0,
    "start": {},
    "stop": True,
}


def test_the_docs_tables_are_the_registrys() -> None:
    assert docs_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/conformance.md's step tables differ from the registry: replace them with "
        "the output of `python -m conformance.steps`"
    )


def test_every_kind_in_the_package_is_registered_and_complete() -> None:
    defined = subclasses_defined_in(conformance.steps, StepKind)
    assert defined == set(KINDS.values())
    assert set(VALUES) == set(KINDS)
    for kind in KINDS.values():
        assert kind.execute is not StepKind.execute, kind
        assert kind.does(), kind
        assert all(info.description for info in kind.qualifiers().values()), kind


def test_a_second_kind_with_the_same_action_is_refused() -> None:
    with pytest.raises(TypeError, match="'sleep' is already Sleep"):

        class AnotherSleep(StepKind):
            action = "sleep"
            sleep: float


@pytest.mark.parametrize("action", sorted(KINDS))
def test_each_kind_takes_only_its_own_qualifiers(tmp_path: Path, action: str) -> None:
    kind = KINDS[action]
    path = tmp_path / "s.yaml"
    others = {q for k in KINDS.values() for q in k.qualifiers()} - set(kind.qualifiers())
    assert others, action
    for qualifier in sorted(others):
        path.write_text(f"title: t\nsteps:\n  - {{{action}: {VALUES[action]!r}, {qualifier}: 1}}\n")
        with pytest.raises(ScenarioFileError) as caught:
            load(path)
        assert f"s.yaml: step 1 ({action}): {qualifier}: not a qualifier of {action}" in str(
            caught.value
        )
    path.write_text(f"title: t\nsteps:\n  - {{{action}: {VALUES[action]!r}}}\n")
    assert isinstance(load(path).steps[0], kind)
