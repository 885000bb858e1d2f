"""Parse limits on every body a client sends: a body nested too deep or carrying a
number too long (or out of range, or NaN) is answered 400 naming the limit, in the
error shape of the surface it was sent to, and the journal can always be served."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from backports import zstd

from mock_backend.json_limits import MAX_DEPTH, MAX_NUMBER_CHARS
from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support import http
from tests.support.strict_json import strict_loads

from .conftest import DeviceClient
from .test_model_endpoint import ModelClient, sse_events, user


@pytest.fixture
def client(mock_tenant: MockTenant) -> ModelClient:
    return ModelClient(mock_tenant)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


#: (body, what the refusal names)
HOSTILE = {
    "one_level_too_deep": (nested(MAX_DEPTH + 1), f"{MAX_DEPTH} levels"),
    "600_deep": (nested(600), f"{MAX_DEPTH} levels"),
    "1000_deep": (nested(1000), f"{MAX_DEPTH} levels"),
    "objects_1000_deep": (nested_objects(1000), f"{MAX_DEPTH} levels"),
    "20000_deep": (nested(20_000), f"{MAX_DEPTH} levels"),  # 40 KB: within the size limit
    "million_deep": (nested(1_000_000), f"{MAX_DEPTH} levels"),  # 2 MB: model bodies only
    "int_5000_digits": (b'{"client_id": ' + b"7" * 5000 + b"}", f"{MAX_NUMBER_CHARS} characters"),
    "int_too_long": (b"[" + b"9" * (MAX_NUMBER_CHARS + 1) + b"]", f"{MAX_NUMBER_CHARS} characters"),
    "float_out_of_range": (b'{"x": 1e400}', "out of range"),
    "nan": (b'{"x": NaN}', "not a JSON number"),
    "infinity": (b"[-Infinity]", "not a JSON number"),
}


def _journal_is_served(tenant: MockTenant) -> list[dict[str, Any]]:
    reply = http.get(f"{tenant.ready.control}/journal")
    assert reply.status == 200, reply.text[:300]
    entries: list[dict[str, Any]] = strict_loads(reply.text)["entries"]
    return entries


def _names_limit(text: str, named: str) -> None:
    assert named in text, text[:300]
    assert "Traceback" not in text and "Server got itself in trouble" not in text


SMALL = sorted(case for case in HOSTILE if case != "million_deep")


@pytest.mark.parametrize("case", SMALL)
def test_auth_routes_answer_an_oauth_error_naming_the_limit(
    device: DeviceClient, mock_tenant: MockTenant, case: str
) -> None:
    data, named = HOSTILE[case]
    for path in ("/oauth/token", "/api/accounts/deviceauth/usercode", "/oauth/revoke"):
        reply = http.post(
            device.issuer + path, data=data, headers={"Content-Type": "application/json"}
        )
        assert reply.status == 400, reply.text[:300]
        body = strict_loads(reply.text)
        assert body["error"] == "invalid_request"
        _names_limit(body["error_description"], named)
    entries = _journal_is_served(mock_tenant)
    assert [e["status"] for e in entries] == [400, 400, 400]
    assert all("body_limit" in e["flags"] for e in entries)
    assert device.login()["access_token"]  # the tenant still works


@pytest.mark.parametrize("case", SMALL)
def test_control_routes_answer_the_control_error_naming_the_limit(
    mock_tenant: MockTenant, case: str
) -> None:
    data, named = HOSTILE[case]
    for method, path in (("POST", "/model/responses"), ("PUT", "/settings"), ("GET", "/journal")):
        reply = http.request(
            method,
            mock_tenant.ready.control + path,
            data=data,
            headers={"Content-Type": "application/json"},
        )
        assert reply.status == 400, reply.text[:300]
        body = strict_loads(reply.text)
        assert body["error"] == "invalid_request"
        _names_limit(body["error_description"], named)
    assert mock_tenant.control.model_responses() == []


@pytest.mark.parametrize("case", ["1000_deep", "int_5000_digits", "float_out_of_range"])
def test_backend_routes_answer_detail_and_mcp_a_json_rpc_error(
    device: DeviceClient, mock_tenant: MockTenant, case: str
) -> None:
    data, named = HOSTILE[case]
    json_type = {"Content-Type": "application/json"}
    usage = http.request(
        "GET", f"{device.issuer}/backend-api/wham/usage", data=data, headers=json_type
    )
    assert usage.status == 400
    _names_limit(strict_loads(usage.text)["detail"], named)
    mcp = http.post(f"{device.issuer}/backend-api/ps/mcp", data=data, headers=json_type)
    assert mcp.status == 400
    rpc = strict_loads(mcp.text)
    assert rpc["id"] is None and rpc["jsonrpc"] == "2.0"
    _names_limit(rpc["error"]["message"], named)
    page = http.post(mock_tenant.ready.verification_page, data=data, headers=json_type)
    assert page.status == 400 and page.headers["Content-Type"].startswith("text/html")
    _names_limit(page.text, named)
    _journal_is_served(mock_tenant)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("case", ["600_deep", "million_deep", "int_5000_digits", "nan"])
def test_model_requests_over_http_json_or_zstd(
    client: ModelClient, mock_tenant: MockTenant, case: str, compress: bool
) -> None:
    data, named = HOSTILE[case]
    body = b'{"model": "mock-model", "input": ' + data + b"}"
    headers = {**client.headers, "Content-Type": "application/json"}
    if compress:
        body = zstd.compress(body)
        headers["Content-Encoding"] = "zstd"
    reply = http.post(client.url, data=body, headers=headers)
    assert reply.status == 400, reply.text[:300]
    _names_limit(strict_loads(reply.text)["detail"], named)
    (record,) = mock_tenant.control.model_requests()
    assert record["kind"] == "rejected" and named in record["error"]
    _journal_is_served(mock_tenant)
    assert client.post({"model": "mock-model", "input": [user("still there?")]}).status == 200


def test_json_inside_a_header_or_tool_arguments_is_read_within_the_limits(
    client: ModelClient, mock_tenant: MockTenant
) -> None:
    deep = nested(3000).decode()  # within the 8 KB aiohttp allows a header
    reply = http.post(
        client.url,
        data=json.dumps({"model": "mock-model", "input": [user("hi")]}).encode(),
        headers={
            **client.headers,
            "Content-Type": "application/json",
            "x-codex-turn-metadata": deep,
        },
    )
    assert reply.status == 200
    call = {
        "type": "function_call",
        "call_id": "mock-run-1",
        "name": "exec_command",
        "arguments": deep,
    }
    output = {"type": "function_call_output", "call_id": "mock-run-1", "output": "done"}
    answered = client.post({"model": "mock-model", "input": [user("run: ls"), call, output]})
    assert answered.status == 200, answered.text[:300]
    assert "Ran `?`" in json.dumps(sse_events(answered.text))
    records = mock_tenant.control.model_requests()
    assert records[0]["metadata"] == {"unparsed": deep[:500]}
    _journal_is_served(mock_tenant)


async def test_websocket_frames_beyond_a_limit_get_an_error_frame_and_the_socket_stays(
    client: ModelClient, mock_model: MockModel, mock_tenant: MockTenant
) -> None:
    mock_model.respond({"text": "still here"})
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(client.url, headers=client.headers) as ws,
    ):
        for case in ("600_deep", "million_deep", "int_5000_digits", "infinity"):
            data, named = HOSTILE[case]
            await ws.send_str('{"type": "response.create", "input": ' + data.decode() + "}")
            frame = strict_loads((await ws.receive(timeout=10)).data)
            assert frame["type"] == "error" and frame["status"] == 400
            _names_limit(frame["error"]["message"], named)
        await ws.send_str(
            json.dumps({"type": "response.create", "model": "mock-model", "input": [user("hi")]})
        )
        events = [strict_loads((await ws.receive(timeout=10)).data) for _ in range(3)]
        assert "still here" in json.dumps(events)
    _journal_is_served(mock_tenant)


def test_bodies_within_the_limits_are_read_as_before(device: DeviceClient) -> None:
    within = nested(MAX_DEPTH - 2).decode()
    reply = http.post(
        f"{device.issuer}/api/accounts/deviceauth/usercode",
        data=(
            '{"client_id": "app_EMoamEEZ73f0CkXaXp7hrann", "x": '
            + within
            + ', "n": '
            + "9" * MAX_NUMBER_CHARS
            + ', "f": 1.5e300}'
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 200, reply.text
    entries = _journal_is_served(device.tenant)
    assert entries[-1]["body"]["n"] == int("9" * MAX_NUMBER_CHARS)


@pytest.mark.parametrize("text", ['{"x": NaN}', "[Infinity]", "[-Infinity]"])
def test_the_strict_reader_of_answers_refuses_what_json_has_not(text: str) -> None:
    """What the tests above read answers with: lenient, it would pass a NaN the mock sent."""
    with pytest.raises(AssertionError, match="is not JSON"):
        strict_loads(text)
    assert strict_loads('{"x": [1.5, -2, "NaN"]}') == {"x": [1.5, -2, "NaN"]}
