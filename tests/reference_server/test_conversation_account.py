"""What the account says around ``thread/start``, side by side.

0.163.0, started on a ``CODEX_HOME`` whose ``auth.json`` holds a ChatGPT login, checks the
workspace (``wham/accounts/check``) at once and, when the check answers, sends
``account/updated`` once; ``thread/start`` neither waits for it nor brings another. An API
key, nobody signed in or a check that fails: no update at all. Where the model requests go
is the check's business too: ``{workspace origin}/backend-api/codex/responses``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer
from tests.support.conversation import Chat, StartChat, agent_texts

pytestmark = pytest.mark.real_binary
SERVERS = ["real-0.163.0", "reference"]
#: The messages followed here; the binary's own extras (MCP status, warnings) are not.
FOLLOWED = ("account/updated", "thread/started")
#: How long to listen for an update that must not come (0.163.0's follows its check by ms).
QUIET = 1.0


def wire_sequence(server: AppServer) -> list[str]:
    """What came in, in order: the followed notifications by method, answers by the method
    of the request they answer (the handshake's left out)."""
    server.session.drain(quiet=QUIET, limit=QUIET * 5)
    asked: dict[Any, str] = {}
    sequence: list[str] = []
    for record in server.session.records:
        message = json.loads(record.raw)
        if record.direction == "out":
            if "method" in message and "id" in message:
                asked[message["id"]] = message["method"]
        elif message.get("method") in FOLLOWED and "id" not in message:
            sequence.append(message["method"])
        elif "method" not in message and asked.get(message.get("id")) != "initialize":
            sequence.append(asked.get(message.get("id"), "an answer to nothing asked"))
    return sequence


def checks(session: Chat) -> int:
    return len(session.tenant.control.journal(route="accounts_check"))


@pytest.mark.parametrize("which", SERVERS)
def test_a_stored_chatgpt_login_is_announced_once_its_workspace_is_checked(
    chat: StartChat, which: str
) -> None:
    session = chat(which)
    update = session.server.notification("account/updated")["params"]
    assert update == {"authMode": "chatgpt", "planType": "pro"}
    session.thread()
    session.thread()
    assert wire_sequence(session.server) == [
        "account/updated",
        "thread/start",
        "thread/started",
        "thread/start",
        "thread/started",
    ]
    assert checks(session) == 1


@pytest.mark.parametrize("which", SERVERS)
def test_thread_start_does_not_wait_for_a_slow_check(
    chat: StartChat, mock_tenant: MockTenant, which: str
) -> None:
    """The check held 3 s: the thread is answered and started first, then the update."""
    mock_tenant.control.fault("accounts_check", "latency", latency_ms=3000)
    session = chat(which)
    session.thread()
    session.server.notification("account/updated")
    assert wire_sequence(session.server) == ["thread/start", "thread/started", "account/updated"]


def api_key_home(home: Path) -> None:
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}))


@pytest.mark.parametrize("which", SERVERS)
@pytest.mark.parametrize("login", ["api-key", "nobody", "check-fails"])
def test_no_update_without_a_checked_chatgpt_login(
    chat: StartChat, mock_tenant: MockTenant, tmp_path: Path, which: str, login: str
) -> None:
    home = tmp_path / "home"
    if login == "api-key":
        api_key_home(home)
    if login == "check-fails":  # every check: 0.163.0 checks again at thread/start
        mock_tenant.control.fault("accounts_check", "status", status=500, count=20)
    session = chat(which, home=home if login == "api-key" else None, signed_in=login != "nobody")
    session.thread()
    assert wire_sequence(session.server) == ["thread/start", "thread/started"]


@pytest.mark.parametrize("which", SERVERS)
def test_the_model_request_goes_to_the_workspace_origin(
    chat: StartChat, mock_tenant: MockTenant, which: str
) -> None:
    """The check names the mock's own TLS listener on loopback, not ``chatgpt.com`` (where
    ``chatgpt_base_url`` points, through the proxy): the turn is sent there, directly."""
    workspace = urlsplit(mock_tenant.ready.chatgpt_base_url)
    assert workspace.hostname == "127.0.0.1"
    mock_tenant.control.settings(workspace_backend_origin=f"https://{workspace.netloc}")
    session = chat(which)
    thread_id = session.thread()
    session.model.respond({"text": "routed"})
    assert agent_texts(session.turn(thread_id, "hello")) == ["routed"]
    [request] = session.model.requests()
    [sent] = [e for e in mock_tenant.control.journal() if e["seq"] == request["journal_seq"]]
    assert (sent["host"], sent["via"], sent["path"]) == (
        workspace.netloc,
        "direct",
        "/backend-api/codex/responses",
    )
