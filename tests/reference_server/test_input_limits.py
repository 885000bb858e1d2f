"""Input the server refuses without dying: nesting past the depth limit, numbers past
the length limit, request ids JSON-RPC does not allow. Each gets a -32600 answer that
names the rule, with the request's id when it can be read and ``null`` otherwise; every
answer is JSON (no ``NaN``, no ``Infinity``). Upstream drops such lines without a word."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mock_backend.tenant_handle import MockTenant
from reference_server.jsonrpc import MAX_DEPTH, MAX_NUMBER_LENGTH, Refused, Request, decode
from tests.support.app_server import AppServer
from tests.support.strict_json import strict_loads

from .conftest import REFERENCE, Start

INIT = b'{"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}}'
READ = b'{"id": "last", "method": "account/read", "params": {}}'


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_request(request_id: str, depth: int) -> str:
    return json.dumps({"id": request_id, "method": "account/read", "params": {"x": 0}}).replace(
        "0}}", nested(depth) + "}}"
    )


def run_lines(codex_home: Path, *lines: bytes) -> list[Any]:
    """Every stdout line of a server fed these lines (then EOF), parsed strictly."""
    env = {"CODEX_HOME": str(codex_home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        REFERENCE, input=b"\n".join(lines) + b"\n", capture_output=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return [strict_loads(line) for line in result.stdout.splitlines()]


def error_for(answers: list[Any], request_id: Any) -> dict[str, Any]:
    found = [a for a in answers if a.get("id") == request_id and "error" in a]
    assert len(found) == 1, answers
    error: dict[str, Any] = found[0]["error"]
    return error


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 1000, 100_000])
def test_a_line_nested_too_deep_is_refused_and_serving_goes_on(start: Start, depth: int) -> None:
    server = start(REFERENCE)
    server.session.send_raw(deep_request("deep", depth), label=f"nested {depth} deep")
    error = server.session.response("deep", timeout=20)["error"]
    assert error["code"] == -32600
    assert f"nested deeper than {MAX_DEPTH} levels" in error["message"]
    assert server.call("account/read", {})["result"]["requiresOpenaiAuth"] is True


def test_the_depth_limit_exactly_without_a_server() -> None:
    """One level past the limit is refused, in arrays or objects, whatever the line holds
    besides; brackets inside strings make no level."""
    over = decode(deep_request("over", MAX_DEPTH - 1).encode())
    assert isinstance(over, Refused) and over.id == "over"

    def objects(depth: int) -> bytes:
        inner = '{"a": ' * depth + "0" + "}" * depth
        return ('{"id": 1, "method": "m", "params": ' + inner + "}").encode()

    assert isinstance(decode(objects(MAX_DEPTH)), Refused)
    assert isinstance(decode(objects(MAX_DEPTH - 1)), Request)
    fits = decode(deep_request("fits", MAX_DEPTH - 2).encode())
    assert isinstance(fits, Request) and fits.id == "fits"
    text = json.dumps({"id": 2, "method": "m", "params": {"s": "[{" * MAX_DEPTH}})
    assert isinstance(decode(text.encode()), Request)


def test_nesting_up_to_the_limit_is_served(start: Start) -> None:
    server = start(REFERENCE)
    # The message itself, then params, then "x": the array may be MAX_DEPTH - 2 deep.
    server.session.send_raw(deep_request("fits", MAX_DEPTH - 2), label="at the limit")
    assert "result" in server.session.response("fits", timeout=20)


def test_a_deep_first_line_does_not_stop_the_fast_start(tmp_path: Path) -> None:
    deep = deep_request("first", 1000).encode()
    answers = run_lines(tmp_path, deep, INIT, READ)
    assert "nested deeper" in error_for(answers, "first")["message"]
    assert [a["id"] for a in answers if "result" in a] == [0, "last"]


def test_an_unreadable_id_is_answered_with_null(tmp_path: Path) -> None:
    answers = run_lines(tmp_path, INIT, nested(1000).encode(), READ)
    assert "nested deeper" in error_for(answers, None)["message"]
    assert [a["id"] for a in answers if "result" in a] == [0, "last"]


def test_a_number_too_long_is_refused(tmp_path: Path) -> None:
    long_number = b"1" + b"0" * 5000
    line = b'{"id": 8, "method": "account/read", "params": {"n": ' + long_number + b"}}"
    answers = run_lines(tmp_path, INIT, line, READ)
    message = error_for(answers, 8)["message"]
    assert f"a number longer than {MAX_NUMBER_LENGTH} characters" in message
    assert [a["id"] for a in answers if "result" in a] == [0, "last"]


@pytest.mark.parametrize(
    "refused",
    [
        b'{"id": 0, "result": {"n": ' + b"1" * (MAX_NUMBER_LENGTH + 1) + b"}}",
        b'{"id": 0, "result": ' + nested(MAX_DEPTH).encode() + b"}",
        b'{"id": 0, "result": ' + nested(1000).encode() + b"}",
        b'{"id": 0, "method": 1, "params": ' + nested(1000).encode() + b"}",
    ],
    ids=["long-number", "deep-129", "deep-1000", "method-not-a-string"],
)
def test_a_refused_answer_to_a_server_request_is_answered_with_null(
    tmp_path: Path, refused: bytes
) -> None:
    """Its id numbers the server's requests: echoed, it would read as the answer to the
    client's request 0 (``initialize`` here). Found by the fuzzer (test_fuzz_lines.py)."""
    answers = run_lines(tmp_path, INIT, refused, READ)
    assert error_for(answers, None)["code"] == -32600
    assert [a for a in answers if a["id"] == 0 and "error" in a] == []
    assert [a["id"] for a in answers if "result" in a] == [0, "last"]


@pytest.mark.parametrize(
    "raw_id",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "1.5",
        "true",
        "null",
        "[1]",
        '{"a": 1}',
        str(2**63),
        str(-(2**63) - 1),
    ],
)
def test_an_id_that_is_neither_a_string_nor_an_int64_is_refused(
    tmp_path: Path, raw_id: str
) -> None:
    line = b'{"id": ' + raw_id.encode() + b', "method": "account/read", "params": {}}'
    answers = run_lines(tmp_path, INIT, line, READ)  # every answer parses strictly
    error = error_for(answers, None)
    assert error["code"] == -32600
    assert "string or a 64-bit integer" in error["message"]
    assert [a["id"] for a in answers if "result" in a] == [0, "last"]


def test_the_int64_bounds_are_ids(tmp_path: Path) -> None:
    lines = [
        b'{"id": %d, "method": "account/read", "params": {}}' % value
        for value in (2**63 - 1, -(2**63))
    ]
    answers = run_lines(tmp_path, INIT, *lines)
    assert [a["id"] for a in answers if "result" in a] == [0, 2**63 - 1, -(2**63)]


def test_the_websocket_refuses_a_deep_message_and_keeps_the_connection(
    mock_tenant: MockTenant, tmp_path: Path
) -> None:
    with AppServer.websocket(REFERENCE, mock_tenant.proxy_env(), tmp_path) as server:
        server.initialize()
        server.session.send_raw(deep_request("deep", 1000), label="nested 1000 deep")
        assert "nested deeper" in server.session.response("deep", timeout=20)["error"]["message"]
        assert server.call("account/read", {})["result"]["account"] is None
