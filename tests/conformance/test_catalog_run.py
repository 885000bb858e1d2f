"""How one release's conformance report becomes its column of the matrix."""

from __future__ import annotations

from conformance.matrix.catalog_run import absorb, reason_of
from conformance.matrix.record import ReleaseResult


def test_a_server_the_preflight_found_unusable_is_one_environment_fault() -> None:
    """The report's ``errors`` say the server never answered; its scenarios, all failed
    with that same fault, did not run and are not counted as failures."""
    fault = {
        "fault": "environment",
        "kind": "setup",
        "message": "the server ended before answering `initialize` (exit code 127): x\n"
        "its stderr ends:\n  codex: error while loading shared libraries",
    }
    report = {
        "errors": [fault],
        "scenarios": [{"id": "unknown-method", "outcome": "failed", "failures": [fault]}],
    }
    release = ReleaseResult("9.4.0", "npm")
    absorb(release, report)
    assert release.error == {
        "fault": "environment",
        "message": "the server ended before answering `initialize` (exit code 127): x / "
        "its stderr ends: / codex: error while loading shared libraries",
    }
    assert release.scenarios == {}


def test_a_report_without_errors_fills_the_column() -> None:
    report = {
        "errors": [],
        "scenarios": [
            {"id": "unknown-method", "outcome": "passed"},
            {"id": "api-key-login", "outcome": "skipped", "reason": "needs a key"},
        ],
    }
    release = ReleaseResult("9.1.0", "npm")
    absorb(release, report)
    assert release.error is None
    assert release.scenarios == {"unknown-method": "passed", "api-key-login": "skipped"}
    assert release.reasons == {"api-key-login": "needs a key"}


def test_a_failure_reason_names_the_rule_it_broke() -> None:
    failure = {
        "fault": "server",
        "kind": "ordering",
        "message": "account/updated came before the answer\nmore detail",
        "step": "login",
        "rule": "login-order",
    }
    scenario = {"id": "api-key-login", "outcome": "failed", "failures": [failure]}
    assert reason_of(scenario) == (
        "server fault, ordering (rule login-order): account/updated came before the answer"
    )
