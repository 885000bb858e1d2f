"""What nobody foresaw still ends what it interrupts: a turn whose model client raises
something no handler names ends ``failed`` (with an ``error``), a browser login whose code
exchange does ends with ``success: false``, and the server goes on serving.

No backend can make the server's own code raise, so these run the server in-process with
one collaborator replaced (``tests/support/in_process.py``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from conformance.exclusive import hold
from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from reference_server.conversation.model_client import ModelClient
from reference_server.login import browser
from tests.support import http
from tests.support.conversation import sign_in
from tests.support.in_process import InProcessServer, mock_settings

UNFORESEEN = "an unforeseen failure"


async def unforeseen(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError(UNFORESEEN)


@pytest.fixture
async def server(
    mock_tenant: MockTenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[InProcessServer]:
    """Signed in with tokens the tenant minted (``turns@example.com``); loopback only."""
    for name in list(os.environ):
        if name.upper().endswith("_PROXY"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    sign_in(home, mock_tenant)
    running = InProcessServer(mock_settings(mock_tenant, home))
    try:
        await running.initialize()
        yield running
    finally:
        await running.close()


async def run_turn(server: InProcessServer, thread_id: str, text: str) -> dict[str, Any]:
    """Start a turn; its ``turn/completed`` turn."""
    params = {"threadId": thread_id, "input": [{"type": "text", "text": text}]}
    turn_id = (await server.call("turn/start", params))["result"]["turn"]["id"]
    done = await server.expect(
        lambda m: m.get("method") == "turn/completed" and m["params"]["turn"]["id"] == turn_id,
        f"turn/completed of {turn_id}",
    )
    turn: dict[str, Any] = done["params"]["turn"]
    return turn


async def test_a_turn_that_breaks_unexpectedly_fails_and_the_server_goes_on(
    server: InProcessServer, mock_model: MockModel, tmp_path: Path
) -> None:
    started = await server.call("thread/start", {"cwd": str(tmp_path)})
    thread_id = started["result"]["thread"]["id"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelClient, "open", unforeseen)
        failed = await run_turn(server, thread_id, "hello")
    expected = {
        "message": f"internal error: {UNFORESEEN}",
        "codexErrorInfo": "other",
        "additionalDetails": None,
        "misalignment": None,
    }
    assert failed["status"] == "failed"
    assert failed["error"] == expected
    [error] = server.notifications("error")
    assert (error["error"], error["willRetry"]) == (expected, False)

    mock_model.respond({"text": "fine again"})
    again = await run_turn(server, thread_id, "and now?")
    assert again["status"] == "completed"
    assert [item["text"] for item in again["items"]] == ["fine again"]


async def test_a_browser_login_that_breaks_unexpectedly_ends_failed(
    server: InProcessServer, mock_tenant: MockTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "check_workspace", unforeseen)
    mock_tenant.control.script("approved", persona={"email": "web@example.com"})
    with hold("callback-port-1455"):
        started = (await server.call("account/login/start", {"type": "chatgpt"}))["result"]
        # Blocking HTTP goes to a thread: the callback is served by this event loop.
        redirect = await asyncio.to_thread(http.get, started["authUrl"])
        assert redirect.status == 302
        callback = await asyncio.to_thread(http.get, redirect.location)
        assert (callback.status, callback.text) == (500, UNFORESEEN)
        completed = await server.notification("account/login/completed")
    assert completed == {
        "loginId": started["loginId"],
        "success": False,
        "error": UNFORESEEN,
        "onboardingEntrypoint": None,
    }
    account = (await server.call("account/read", {}))["result"]["account"]
    assert account["email"] == "turns@example.com"  # the login before it, untouched
