"""Bad input never stops the reference server: huge lines, requests without an id,
EOF in the middle of a message."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from mock_backend.tenant_handle import MockTenant
from reference_server.jsonrpc import MAX_LINE

from .conftest import REFERENCE, Start


def run_once(codex_home: Path, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """The server with this stdin, to EOF, and a clean environment."""
    env = {"CODEX_HOME": str(codex_home), "PATH": "/usr/bin:/bin"}
    return subprocess.run(REFERENCE, input=stdin, capture_output=True, timeout=30, env=env)


def test_a_ten_megabyte_line_is_served_and_serving_goes_on(start: Start) -> None:
    server = start(REFERENCE)
    pad = "x" * (10 * 1024 * 1024)
    server.session.send_raw(
        '{"id": "huge", "method": "account/read", "params": {"pad": "' + pad + '"}}',
        label="a 10 MiB request",
    )
    assert server.session.response("huge", timeout=30)["result"]["account"] is None
    assert server.call("account/read", {})["result"]["requiresOpenaiAuth"] is True


def test_a_line_over_the_limit_is_skipped_whole(start: Start) -> None:
    """Its tail is never read as a request of its own (leading blanks are valid JSON)."""
    server = start(REFERENCE)
    tail = '{"id": "tail", "method": "account/read", "params": {}}'
    # The tail must come in a read after the one that crosses the limit: 4 MiB later.
    server.session.send_raw(" " * (MAX_LINE + 4 * 2**20) + tail, label="a line over 64 MiB")
    assert server.call("account/read", {})["result"]["requiresOpenaiAuth"] is True
    server.session.drain(quiet=0.5, limit=2.0)
    assert [m for m in server.session.unconsumed() if m.get("id") == "tail"] == []


def test_requests_without_an_id_get_no_answer(start: Start) -> None:
    server = start(REFERENCE)
    server.session.notify("account/read", {})
    server.session.notify("account/logout")
    assert "result" in server.call("account/read", {})
    server.session.drain()
    assert [m for m in server.session.unconsumed() if "id" in m] == []
    assert server.session.all_problems() == []


def test_eof_in_the_middle_of_a_message_ends_cleanly(tmp_path: Path) -> None:
    result = run_once(
        tmp_path, b'{"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "a", "ver'
    )
    assert result.returncode == 0
    assert result.stdout == b""


def test_stdout_carries_protocol_only(tmp_path: Path) -> None:
    result = run_once(tmp_path, b'not json\n{"id": 1, "method": "nope"}\n')
    lines = result.stdout.splitlines()
    assert lines == [b'{"error":{"code":-32600,"message":"Not initialized"},"id":1}']
    assert b"not JSON" in result.stderr


def test_requests_sent_just_before_eof_are_answered(tmp_path: Path) -> None:
    result = run_once(
        tmp_path,
        b'{"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "a", '
        b'"version": "1"}}}\n{"id": 2, "method": "account/read", "params": {}}\n',
    )
    ids = [line.split(b'"id":')[1][:1] for line in result.stdout.splitlines()]
    assert ids == [b"1", b"2"]


def test_a_slow_handler_does_not_block_the_others(start: Start, mock_tenant: MockTenant) -> None:
    mock_tenant.control.fault("usercode", "latency", latency_ms=3000)
    server = start(REFERENCE)
    slow = server.session.request("account/login/start", {"type": "chatgptDeviceCode"})
    started = time.monotonic()
    assert server.call("account/read", {})["result"]["account"] is None
    assert time.monotonic() - started < 1.5  # answered while the login waits on the backend
    assert server.session.response(slow, timeout=10)["result"]["type"] == "chatgptDeviceCode"
