"""A person approves a code on the page, in a real headless Chromium, while the
real codex 0.163.0 waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_backend.tenant_handle import MockTenant
from tests.support.browser import chromium

from .conftest import Launch

pytestmark = [pytest.mark.real_binary, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(proxy=None)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_person_approves_the_code_shown_by_codex(
    page: Any, launch: Launch, codex_163: Path, mock_tenant: MockTenant
) -> None:
    server = launch(codex_163)
    started = server.call("account/login/start", {"type": "chatgptDeviceCode"})["result"]

    page.goto(mock_tenant.ready.verification_page)
    assert page.title() == "Codex device sign-in (mock)"
    page.get_by_label("Device code").fill(started["userCode"].lower().replace("-", ""))
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Plan").select_option("plus")
    page.get_by_role("button", name="Approve").click()

    status = page.get_by_role("status")
    assert "Approved" in status.inner_text()
    assert "ada@example.com" in status.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "approval-page.png"), full_page=True)

    completed = server.notification("account/login/completed")["params"]
    assert completed["success"] is True
    assert server.notification("account/updated")["params"]["planType"] == "plus"
    account = server.call("account/read", {"refreshToken": False})["result"]["account"]
    assert account == {"type": "chatgpt", "email": "ada@example.com", "planType": "plus"}


def test_a_person_denies_the_code(
    page: Any, launch: Launch, codex_163: Path, mock_tenant: MockTenant
) -> None:
    server = launch(codex_163)
    started = server.call("account/login/start", {"type": "chatgptDeviceCode"})["result"]
    page.goto(f"{mock_tenant.ready.verification_page}?user_code={started['userCode']}")
    assert page.get_by_label("Device code").input_value() == started["userCode"]
    page.get_by_role("button", name="Deny").click()
    assert "Denied" in page.get_by_role("status").inner_text()
    completed = server.notification("account/login/completed")["params"]
    assert completed["success"] is False


def test_a_mistyped_code_is_explained(page: Any, mock_tenant: MockTenant) -> None:
    page.goto(mock_tenant.ready.verification_page)
    page.get_by_label("Device code").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Approve").click()
    assert "No code" in page.get_by_role("status").inner_text()


def test_every_control_has_a_label(page: Any, mock_tenant: MockTenant) -> None:
    page.goto(mock_tenant.ready.verification_page)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select')]
               .filter(el => el.labels.length === 0).map(el => el.name)"""
    )
    assert unlabelled == []
    assert page.evaluate("document.documentElement.lang") == "en"
    # No external assets: every resource the page loads is the page itself. (Chromium asks
    # for /favicon.ico on its own, sometimes before this look: that is not the page's doing.)
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [url for url in loaded if not url.endswith("/favicon.ico")] == []
