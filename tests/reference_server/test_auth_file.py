"""An ``auth.json`` that is not a login: nobody is signed in, as 0.163.0 sees it, and
``account/logout`` still removes it. The reference server also says on stderr which
file it ignored and why (it used to answer -32603 with a traceback, and a file nested
5000 deep made even the logout fail, so a client could not clear it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.app_server import AppServer

from .conftest import REFERENCE, Start

GARBAGE = {
    "not-json": "garbage{",
    "not-an-object": "[1, 2]",
    "token-not-a-string": '{"auth_mode": "chatgpt", "tokens": {"id_token": 5}}',
    "key-not-a-string": '{"auth_mode": "apikey", "OPENAI_API_KEY": {"k": 1}}',
    "nested-5000-deep": '{"tokens": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
}


def stderr_mentions(server: AppServer, text: str, patience: float = 10.0) -> bool:
    """Whether the server's stderr says ``text`` (its reader runs on a thread of its own)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if any(text in line for line in server.process.stderr_tail(200)):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.real_binary
@pytest.mark.parametrize("content", sorted(GARBAGE))
def test_garbage_in_auth_json_reads_as_signed_out_and_logout_removes_it(
    start: Start, server_argv: list[str], tmp_path: Path, content: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    auth = home / "auth.json"
    auth.write_text(GARBAGE[content])
    server = start(server_argv, home=home)
    read = server.call("account/read", {})
    assert read["result"]["account"] is None, read
    limits = server.call("account/rateLimits/read")["error"]
    assert limits["message"] == "codex account authentication required to read rate limits"
    if server_argv == REFERENCE:
        assert stderr_mentions(server, f"ignoring {auth}")
    assert server.call("account/logout")["result"] == {}
    assert server.notification("account/updated")["params"] == {"authMode": None, "planType": None}
    assert not auth.exists()
