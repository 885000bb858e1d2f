"""docs/releases.md: what each release changed, written from a matrix run's JSON; the
committed page is what the generator makes of the committed JSON (the run of ~30 releases
itself is not repeated here)."""

from __future__ import annotations

from pathlib import Path

from conformance.matrix.compat_steps import CompatStep
from conformance.matrix.record import Matrix, ReleaseResult
from conformance.matrix.release_notes import REGENERATE, main, render, surface_of

DOCS = Path(__file__).resolve().parents[2] / "docs"


def finding(
    path: str, method: str | None, message: str = "optional field added"
) -> dict[str, str | None]:
    return {"rule": "CMP015", "name": "optional-field-added", "path": path,
            "message": message, "direction": "server->client", "method": method}  # fmt: skip


def test_findings_go_to_their_surface_by_method() -> None:
    assert surface_of(finding("GetAccountResponse.userId", "account/read")) == "account"
    assert surface_of(finding("ClientRequest.account/usage/read", "account/usage/read")) == (
        "account"
    )
    assert surface_of(finding("TurnStartParams.x", "turn/start")) == "conversation"
    approval = "item/commandExecution/requestApproval"
    assert surface_of(finding("CommandExecutionRequestApprovalParams.x", approval)) == (
        "conversation"
    )
    assert surface_of(finding("ConfigWarningNotification.x", "configWarning")) is None
    assert surface_of(finding("Orphan.x", None)) is None


def test_each_step_lists_the_account_changes_and_the_outcomes_that_changed() -> None:
    matrix = Matrix(
        releases=[
            ReleaseResult("0.163.0", "venv", {"a": "passed", "b": "skipped"}),
            ReleaseResult("0.164.0", "npm", {"a": "passed", "b": "skipped"}),
            ReleaseResult("0.169.0", "npm", {"a": "failed", "b": "passed"},
                          {"a": "server fault, mismatch: at $.userId"}, published="2026-11-13"),
            ReleaseResult("0.170.0", error={"fault": "environment", "message": "not published"}),
        ],
        compat=[
            CompatStep("0.163.0", "0.164.0", info=[
                finding("ConfigWarningNotification.x", "configWarning"),
            ]),
            CompatStep("0.164.0", "0.169.0", info=[
                finding("GetAccountResponse.userId", "account/read"),
                finding("TurnStartParams.y", "turn/start"),
                finding("ConfigWarningNotification.y", "configWarning"),
            ]),
        ],
        selection="0.163.0..0.170.0",
        wall_seconds=754,
    )  # fmt: skip
    page = render(matrix)
    assert "over 4 releases (0.163.0 … 0.170.0) (`--releases 0.163.0..0.170.0`, 13 min" in page
    step = page[page.index("### 0.169.0 (2026-11-13)") :]
    assert (
        "- INFO CMP015 optional-field-added: `GetAccountResponse.userId`: optional field "
        "added (account/read)"
    ) in step
    assert (
        "- INFO CMP015 optional-field-added: `TurnStartParams.y`: optional field added (turn/start)"
    ) in step
    assert "ConfigWarningNotification.y" not in step.split("## Every surface")[0]
    assert "- `a`: passes → **fails** (server fault, mismatch: at $.userId)" in step
    assert "- `b`: skipped → **passes**" in step
    assert "### 0.170.0\n\nNot run: environment fault: not published" in page
    assert "nor in the catalog's outcomes: 0.164.0." in page
    assert "| 0.164.0 → 0.169.0 | 0 / 0 / 1 | 0 / 0 / 1 | 0 / 0 / 1 |" in page
    assert "| 0.170.0 |  | — | | | | | not run: environment fault: not published |" in page


def test_a_failure_is_a_failure_with_or_without_a_baseline_and_flip_flops_are_flagged() -> None:
    outcomes = ["xfailed", "failed", "passed", "failed", "passed", "failed"]
    releases = [
        ReleaseResult(f"0.1{i}0.0", "pypi", {"known": outcomes[min(i, 1)], "racy": outcome})
        for i, outcome in enumerate(outcomes)
    ]
    page = render(Matrix(releases=releases))
    assert "`known`" not in page.split("## Unsteady")[0]  # xfailed, then failed: no change
    assert "- `racy`: 4 changes" in page
    assert "- `racy`: fails → **passes**" in page


def test_the_committed_page_is_what_the_committed_run_makes() -> None:
    committed = Matrix.read(DOCS / "releases.json")
    assert (DOCS / "releases.md").read_text() == render(committed), (
        f"docs/releases.md is stale: {REGENERATE}"
    )
    assert len(committed.releases) >= 30
    assert main([]) == 2
