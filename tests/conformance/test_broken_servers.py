"""The kit against deliberately broken servers: each relay breaks one rule in front of the
reference server, and the kit must fail the scenarios it breaks, naming the fault.

The mutation score (broken servers caught / broken servers) is the share of these that
pass; a relay that breaks nothing, one that adds valid notifications nobody awaits, and
one that adds a field the schema does not declare must pass (no false alarms): the
undeclared field is a warning, and a failure only with ``--conformance-strict-fields``.
"""

from __future__ import annotations

import pytest

from conformance.kit import Kit
from conformance.results import ScenarioResult, SchemaWarning
from conformance.target import Target

from .conftest import relay, scenario

#: mutation -> (scenarios to run, text the failure must contain)
MUTATIONS = {
    "drop-login-completed": (
        ["api-key-login"],
        "waiting for the notification account/login/completed",
    ),
    "reorder-updated-first": (
        ["api-key-login"],
        "account/updated reported a sign-in before account/login/completed",
    ),
    "snake-case": (
        ["account-read-logged-out"],
        "`requires_openai_auth` is not declared; it looks like the declared field "
        "`requiresOpenaiAuth` renamed",
    ),
    "wrong-ids": (["account-read-logged-out"], "which the kit never sent"),
    "garbage-stdout": (["account-read-logged-out"], "stdout line is not a JSON-RPC message"),
    "garbage-flood": (
        ["account-read-logged-out"],
        "more stdout lines that are not JSON-RPC messages",
    ),
    "crash-mid-login": (["api-key-login"], "exit code 3"),
    "hang": (
        ["account-read-logged-out"],
        "nothing after 3 s waiting for the answer to account/read",
    ),
    "fake-success": (["device-code-denied"], "$.success: expected false, got true"),
    "wrong-error-code": (["rate-limits-signed-out"], "$.error.code: expected -32600, got -32603"),
    "duplicate-answers": (["account-read-logged-out"], "a second answer to account/read"),
    "drop-required-field": (
        ["account-read-logged-out"],
        "'requiresOpenaiAuth' is a required property",
    ),
    "wrong-type": (["api-key-login"], "at $.params.planType"),
    "update-after-failed-login": (
        ["device-code-denied"],
        "account/updated reported a sign-in after account/login/completed reported login",
    ),
    "result-and-error": (["account-read-logged-out"], "must carry exactly one of result and error"),
    "drop-updated": (["api-key-login"], "waiting for the notification account/updated"),
    "completed-twice": (
        ["device-code-denied"],
        "a second account/login/completed for login",
    ),
    "wrong-login-id": (["device-code-denied"], "$.loginId: expected"),
    "notification-with-id": (
        ["api-key-login"],
        "account/login/completed is a notification but came with an id",
    ),
    "wrong-cancel-status": (["login-cancel-unknown-id"], '$.result.status: expected "notFound"'),
    # Outside the account surface: every message is held to the bundle, whatever its method.
    "config-warning-number": (
        ["account-read-logged-out"],
        "configWarning params does not match ConfigWarningNotification: at $.params.summary: "
        "123 is not of type 'string'",
    ),
}


#: mutation -> the protocol rule its failure names (``conformance/rules/``)
RULE_BROKEN = {
    "reorder-updated-first": "login-order",
    "update-after-failed-login": "login-order",
    "completed-twice": "login-completed-once",
}


def run(mutation: str, scenario_ids: list[str], strict: bool = False) -> list[ScenarioResult]:
    with Kit(Target(argv=relay(mutation)), timeout=3.0, strict_fields=strict) as kit:
        return [kit.run(scenario(name)) for name in scenario_ids]


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_the_kit_fails_a_broken_server_and_names_the_fault(mutation: str) -> None:
    scenario_ids, named = MUTATIONS[mutation]
    results = run(mutation, scenario_ids)
    assert all(r.outcome == "failed" for r in results), [r.explain() for r in results]
    messages = [str(f) for r in results for f in r.failures]
    assert any(named in m for m in messages), "\n".join(messages)
    if mutation in RULE_BROKEN:
        rules = {f.rule for r in results for f in r.failures if named in f.message}
        assert rules == {RULE_BROKEN[mutation]}, messages
    assert all(f.fault == "server" for r in results for f in r.failures), messages


@pytest.mark.parametrize(
    "mutation", ["none", "extra-notifications", "slow-answers", "stderr-chatter"]
)
def test_a_relay_that_breaks_nothing_passes(mutation: str) -> None:
    ids = ["account-read-logged-out", "api-key-login", "device-code-denied", "unknown-method"]
    results = run(mutation, ids)
    assert [r.outcome for r in results] == ["passed"] * len(ids), [r.explain() for r in results]
    if mutation == "extra-notifications":
        for result in results:
            (undeclared,) = [w for w in result.warnings if w.kind == "undeclared-method"]
            assert undeclared.method == "example/undeclared"
            assert "not a method of ServerNotification in codex-0.163.0" in undeclared.message


def test_an_undeclared_field_is_a_warning_with_its_type_and_path_unless_strict() -> None:
    (lenient,) = run("undeclared-field", ["account-read-logged-out"])
    assert lenient.outcome == "passed", lenient.explain()
    assert (
        SchemaWarning(
            "undeclared-field",
            "account/read",
            "GetAccountResponse",
            "$.result.serverExtension",
            "`serverExtension` is not declared by GetAccountResponse in codex-0.163.0",
            "in",
            "result",
        )
        in lenient.warnings
    )
    (strict,) = run("undeclared-field", ["account-read-logged-out"], strict=True)
    assert strict.outcome == "failed"
    messages = [f.message for f in strict.failures]
    assert any(
        "at $.result.serverExtension: `serverExtension` is not declared" in m for m in messages
    ), messages
    assert {(f.fault, f.kind) for f in strict.failures} == {("server", "schema")}
