"""The protocol rules on their own: fed messages through a judge, as a session would, each
finding names its rule; the docs table is the registry's own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import conformance.rules
from conformance.judge import Judge
from conformance.rules import RULES, Rule, docs_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
Message = dict[str, Any]


def test_the_docs_table_is_the_registrys() -> None:
    assert docs_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/conformance.md's rules table differs from the registry: replace it with the "
        "output of `python -m conformance.rules`"
    )


def test_every_rule_in_the_package_is_registered_and_described() -> None:
    defined = {
        cls
        for module in pkgutil.iter_modules(conformance.rules.__path__)
        if not module.name.startswith("_")
        for _, cls in inspect.getmembers(
            importlib.import_module(f"conformance.rules.{module.name}"), inspect.isclass
        )
        if issubclass(cls, Rule) and cls is not Rule
    }
    assert defined == set(RULES.values())
    assert {"login-order", "login-completed-once"} <= set(RULES)
    assert all(rule.describe() for rule in RULES.values())


def test_a_second_rule_with_the_same_id_is_refused() -> None:
    with pytest.raises(TypeError, match="rule 'login-order' is already LoginOrder"):

        class AnotherOrder(Rule):
            name = "login-order"


def conversation(*steps: tuple[str, Message]) -> list[tuple[str | None, str]]:
    """Run messages through a judge (no schema), as a session does; (rule, text) found."""
    judge = Judge(None, ())
    for direction, message in steps:
        if direction == "out":
            judge.outgoing(message, message.get("method"), None)
        else:
            judge.received(message, judge.method_of(message))
    return [(f.rule, f.message) for f in judge.all_problems()]


LOGIN = ("out", {"id": 1, "method": "account/login/start", "params": {"type": "chatgpt"}})
STARTED = ("in", {"id": 1, "result": {"type": "chatgpt", "loginId": "L1"}})
UPDATED = ("in", {"method": "account/updated", "params": {"authMode": "chatgpt"}})


def completed(success: bool) -> tuple[str, Message]:
    params = {"loginId": "L1", "success": success, "error": None}
    return ("in", {"method": "account/login/completed", "params": params})


def test_a_sign_in_in_order_breaks_no_rule() -> None:
    assert conversation(LOGIN, STARTED, completed(True), UPDATED) == []


def test_a_sign_in_before_its_login_completed_breaks_login_order() -> None:
    assert conversation(LOGIN, STARTED, UPDATED, completed(True)) == [
        (
            "login-order",
            "account/updated reported a sign-in before account/login/completed "
            "(login L1 has not completed)",
        )
    ]


def test_a_sign_in_after_a_failed_completion_breaks_login_order_until_the_next_login() -> None:
    found = conversation(LOGIN, STARTED, completed(False), UPDATED)
    assert found == [
        (
            "login-order",
            "account/updated reported a sign-in after account/login/completed reported "
            "login L1 failed",
        )
    ]
    logout = ("out", {"id": 2, "method": "account/logout"})
    assert conversation(LOGIN, STARTED, completed(False), logout, UPDATED) == []


def test_a_login_completed_twice_breaks_login_completed_once() -> None:
    assert conversation(LOGIN, STARTED, completed(True), completed(True)) == [
        ("login-completed-once", "a second account/login/completed for login L1")
    ]
