"""``matrix.html`` in a real headless Chromium: what a person sees (cell colours, the reason
on hover, the outlined changes, the compat findings, a release that could not run), from
one self-contained file that loads nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.matrix.compat_steps import CompatStep
from conformance.matrix.outputs import write_outputs
from conformance.matrix.record import Matrix, ReleaseResult
from tests.support.browser import chromium

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
GCP = {
    "rule": "CMP040", "name": "variant-added", "path": "GetAccountResponse.account.oneOf[gcp]",
    "message": "variant 'gcp' added", "direction": "server->client", "method": "account/read",
}  # fmt: skip
USER_ID = {**GCP, "rule": "CMP015", "path": "GetAccountResponse.userId",
           "message": "optional field added"}  # fmt: skip


def sample() -> Matrix:
    return Matrix(
        releases=[
            ReleaseResult(
                "0.163.0", "venv",
                {"account-read": "passed", "plan-sci": "skipped", "workspace": "xfailed"},
                {"plan-sci": "needs codex 0.169.0 or later; the server reports 0.163.0",
                 "workspace": "known deviation: auth.json is written before the check"},
                published="2026-10-15", baseline="codex-0.163.0",
            ),
            ReleaseResult(
                "0.171.0", "npm",
                {"account-read": "failed", "plan-sci": "passed", "workspace": "xfailed"},
                {"account-read": "server fault, mismatch: at $.account.planType: expected pro"},
                published="2026-11-20",
            ),
            ReleaseResult(
                "0.999.0",
                error={"fault": "environment",
                       "message": "codex 0.999.0 is neither on PyPI nor npm"},
            ),
        ],
        compat=[CompatStep("0.163.0", "0.171.0", errors=[GCP], info=[USER_ID])],
        titles={"account-read": "account/read, logged out", "plan-sci": "The sci plan",
                "workspace": "Workspace check"},
        selection="0.163.0,0.171.0,0.999.0",
    )  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    write_outputs(sample(), tmp_path)
    context = browser.new_context(viewport={"width": 1100, "height": 700})
    try:
        tab = context.new_page()
        tab.goto((tmp_path / "matrix.html").as_uri())
        yield tab
    finally:
        context.close()


def cell(page: Any, release: str, scenario: str) -> Any:
    return page.locator(f'td[data-release="{release}"][data-scenario="{scenario}"]')


def background(locator: Any) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).backgroundColor"))


def test_cells_are_coloured_by_outcome_with_the_reason_on_hover(page: Any) -> None:
    passed, failed = cell(page, "0.163.0", "account-read"), cell(page, "0.171.0", "account-read")
    assert (passed.inner_text(), background(passed)) == ("pass", "rgb(200, 230, 201)")
    assert (failed.inner_text(), background(failed)) == ("FAIL", "rgb(239, 154, 154)")
    assert failed.get_attribute("title") == (
        "account-read on 0.171.0: failed: server fault, mismatch: at $.account.planType: "
        "expected pro"
    )
    known = cell(page, "0.171.0", "workspace")
    assert (known.inner_text(), background(known)) == ("known", "rgb(255, 224, 130)")
    skipped = cell(page, "0.163.0", "plan-sci")
    assert "needs codex 0.169.0 or later" in skipped.get_attribute("title")
    # What changed from one release to the next is outlined; what stayed is not.
    outline = "el => getComputedStyle(el).outlineStyle"
    assert failed.evaluate(outline) == "solid"
    assert cell(page, "0.171.0", "plan-sci").evaluate(outline) == "solid"
    assert known.evaluate(outline) == "none"
    assert page.locator("tbody th", has_text="plan-sci").get_attribute("title") == "The sci plan"


def test_a_release_that_could_not_run_says_why(page: Any) -> None:
    header = page.locator('thead th[data-release="0.999.0"]')
    assert background(header) == "rgb(183, 28, 28)"
    assert "environment fault" in header.inner_text()
    assert header.get_attribute("title") == (
        "environment fault: codex 0.999.0 is neither on PyPI nor npm"
    )
    env = cell(page, "0.999.0", "plan-sci")
    assert (env.inner_text(), background(env)) == ("env", "rgb(97, 97, 97)")
    note = page.locator('[data-not-run="0.999.0"]')
    assert note.is_visible()
    assert "0.999.0 not run: environment fault: codex 0.999.0 is neither" in note.inner_text()


def test_each_step_shows_its_compat_findings(page: Any) -> None:
    step = page.locator('thead th[data-step="0.163.0..0.171.0"]')
    assert step.inner_text() == "1 E · 0 W · 1 I"
    assert step.get_attribute("title") == (
        "ERROR GetAccountResponse.account.oneOf[gcp]: variant 'gcp' added"
    )
    details = page.locator('details[data-step="0.163.0..0.171.0"]')
    assert details.get_attribute("open") is not None  # errors: open from the start
    row = details.locator("table.findings tr").first
    assert row.is_visible()
    assert "GetAccountResponse.account.oneOf[gcp]" in row.inner_text()
    assert "account/read" in row.inner_text()


def test_the_page_is_one_file_and_looks_right(page: Any) -> None:
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded == []
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("script, link, img, iframe").count() == 0
    grid = page.locator("table.grid").bounding_box()
    assert grid is not None and grid["width"] > 300 and grid["height"] > 100
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matrix-page.png"), full_page=True)
    assert (ARTIFACTS / "matrix-page.png").stat().st_size > 10_000
