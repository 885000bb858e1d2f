"""Nothing a client sends grows the mock without bound: a request naming a tenant never
creates it (only the control API or the library do, up to ``max_tenants``), and each
tenant's journal and model request log keep within a count and a byte budget, the
oldest dropped first and counted."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Iterator

import pytest

from mock_backend import BackendConfig, BackendThread
from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.control_client import ControlClient, ControlError
from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient
from .test_model_endpoint import ModelClient, user


@pytest.fixture(scope="module")
def small_backend() -> Iterator[BackendThread]:
    """Its own backend with small limits, so reaching them is cheap."""
    config = BackendConfig(
        max_tenants=4,
        journal_capacity=50,
        journal_bytes=64 * 1024,
        model_log_capacity=20,
        model_log_bytes=256 * 1024,
        max_codes=5,
        max_browser_requests=3,
    )
    with BackendThread(config) as backend:
        yield backend


@pytest.fixture
def small_tenant(small_backend: BackendThread) -> Iterator[MockTenant]:
    """A fresh tenant of ``small_backend``, deleted whatever the test's outcome: with
    ``max_tenants=4`` one left behind would fail the tests after it."""
    made = MockTenant.of(small_backend.tenant(f"small-{secrets.token_hex(3)}"))
    try:
        yield made
    finally:
        small_backend.delete_tenant(made.name)


def _root(tenant: MockTenant) -> str:
    return tenant.ready.issuer.split("/t/", 1)[0]


def test_requests_naming_an_unknown_tenant_create_nothing(mock_tenant: MockTenant) -> None:
    root = _root(mock_tenant)
    before = mock_tenant.control.tenants()
    for index in range(300):
        name = f"nobody-{index}"
        prefixed = http.post(
            f"{root}/t/{name}/api/accounts/deviceauth/usercode", json_body={"client_id": "x"}
        )
        assert prefixed.status == 404, prefixed.text
        assert prefixed.json["error"] == "unknown_tenant"
        assert repr(name) in prefixed.json["error_description"]
        assert f"POST {root}/_mock/tenants" in prefixed.json["error_description"]
        header = http.get(f"{root}/.well-known/jwks.json", headers={"X-Mock-Tenant": name})
        assert header.status == 404
    control = http.get(f"{root}/t/nobody-0/_mock/journal")
    assert (control.status, control.json["error"]) == (404, "unknown_tenant")
    after = mock_tenant.control.tenants()
    assert after["tenant_count"] == before["tenant_count"]
    assert not [name for name in after["tenants"] if name.startswith("nobody-")]


async def test_a_proxy_user_names_an_existing_tenant_only(mock_tenant: MockTenant) -> None:
    assert mock_tenant.ready.proxy is not None
    port = int(mock_tenant.ready.proxy.rsplit(":", 1)[1])
    before = mock_tenant.control.tenants()["tenant_count"]
    for index in range(50):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        credentials = base64.b64encode(f"proxy-nobody-{index}:mock".encode()).decode()
        writer.write(
            f"CONNECT auth.openai.com:443 HTTP/1.1\r\nProxy-Authorization: Basic {credentials}"
            "\r\n\r\n".encode()
        )
        answer = await asyncio.wait_for(reader.read(4096), 5)
        writer.close()
        await writer.wait_closed()
        assert answer.startswith(b"HTTP/1.1 403"), answer
        assert b"create it first" in answer
    assert mock_tenant.control.tenants()["tenant_count"] == before


def test_tenants_lists_names(mock_tenant: MockTenant) -> None:
    listed = mock_tenant.control.tenants()
    assert isinstance(listed["tenants"], list)
    assert {"default", mock_tenant.name} <= set(listed["tenants"])
    assert listed["tenant_count"] == len(listed["tenants"])
    assert listed["max_tenants"] == BackendConfig().max_tenants


def test_the_control_api_creates_and_deletes_tenants(small_backend: BackendThread) -> None:
    control = ControlClient(small_backend.ready.control)
    name = f"made-{secrets.token_hex(3)}"
    created = control.create_tenant(name)
    assert created["tenant"] == name
    assert control.request("POST", "/tenants", {"name": name})["tenant"] == name  # again: 200
    made = ControlClient(created["control"])
    assert made.journal() == []
    control.delete_tenant(name)
    assert name not in control.tenants()["tenants"]
    with pytest.raises(ControlError) as gone:
        made.journal()
    assert gone.value.status == 404
    with pytest.raises(ControlError) as again:
        control.delete_tenant(name)
    assert again.value.status == 404
    with pytest.raises(ControlError) as default:
        control.delete_tenant("default")
    assert default.value.status == 409


def test_at_most_max_tenants_exist(small_backend: BackendThread) -> None:
    control = ControlClient(small_backend.ready.control)
    room = 4 - control.tenants()["tenant_count"]
    names = [f"cap-{index}-{secrets.token_hex(2)}" for index in range(room)]
    try:
        for name in names:
            control.create_tenant(name)
        with pytest.raises(ControlError) as full:
            control.create_tenant("one-too-many")
        assert full.value.status == 409
        assert "max_tenants 4" in str(full.value) and "DELETE" in str(full.value)
        control.delete_tenant(names[0])
        control.create_tenant("one-too-many")
    finally:  # whatever failed, leave room for the tests after this one
        for name in [*names, "one-too-many"]:
            if name in control.tenants()["tenants"]:
                control.delete_tenant(name)


def test_the_journal_keeps_within_its_count_and_bytes(
    small_backend: BackendThread, small_tenant: MockTenant
) -> None:
    tenant = small_tenant
    url = f"{tenant.ready.issuer}/api/accounts/deviceauth/usercode"
    heavy = json.dumps({"client_id": "x", "pad": [{} for _ in range(150)]}).encode()
    for _ in range(40):  # each ~1 KB on the wire, ~20 KB once parsed: the bytes decide
        sent = http.post(url, data=heavy, headers={"Content-Type": "application/json"})
        assert (sent.status, sent.json["error"]) == (401, "invalid_client")  # journalled anyway
    reply = http.get(f"{tenant.ready.control}/journal").json
    assert reply["max_bytes"] == 64 * 1024 and reply["kept_bytes"] <= 64 * 1024
    assert 1 < reply["kept"] == len(reply["entries"]) < 10
    assert reply["dropped"] == 40 - reply["kept"]
    light = json.dumps({"client_id": "x"}).encode()
    for _ in range(120):  # small ones: the count decides
        assert (
            http.post(url, data=light, headers={"Content-Type": "application/json"}).status == 401
        )
    reply = http.get(f"{tenant.ready.control}/journal").json
    assert reply["kept"] == 50 and reply["dropped"] == 160 - 50
    assert [e["seq"] for e in reply["entries"]] == list(range(111, 161))  # newest last
    stats = ControlClient(small_backend.ready.control).tenants()
    assert stats["journal_dropped"] >= 110


def test_the_model_request_log_keeps_within_its_count_and_bytes(
    small_backend: BackendThread, small_tenant: MockTenant
) -> None:
    tenant = small_tenant
    client = ModelClient(tenant)
    long_turn = {"model": "mock-model", "input": [user("x" * 40_000)]}
    for _ in range(12):
        assert client.post(long_turn).status == 200
    reply = http.get(f"{tenant.ready.control}/model/requests").json
    assert reply["kept"] < 12 and reply["dropped"] == 12 - reply["kept"]
    assert reply["kept_bytes"] <= 256 * 1024
    for _ in range(30):
        assert client.post({"model": "mock-model", "input": [user("hi")]}).status == 200
    reply = http.get(f"{tenant.ready.control}/model/requests").json
    assert reply["kept"] == 20 and reply["dropped"] == 42 - 20
    assert ControlClient(small_backend.ready.control).tenants()["model_requests_dropped"] >= 22


def test_codes_and_waiting_browser_logins_are_bounded(
    small_backend: BackendThread, small_tenant: MockTenant
) -> None:
    tenant = small_tenant
    client = DeviceClient(tenant)
    codes = [client.new_code() for _ in range(8)]
    listed = tenant.control.request("GET", "/device-codes")
    assert [c["user_code"] for c in listed["device_codes"]] == [c["user_code"] for c in codes[3:]]
    assert listed["dropped"] == 3
    forgotten = client.poll(codes[0])
    assert (forgotten.status, forgotten.json["error"]) == (400, "invalid_grant")
    assert client.poll(codes[-1]).status == 403  # the newest still waits
    ids = []
    for index in range(5):
        page = http.get(
            f"{tenant.ready.issuer}/oauth/authorize?response_type=code&client_id={CODEX_CLIENT_ID}"
            f"&redirect_uri=http://127.0.0.1:1455/auth/callback&code_challenge=abc"
            f"&code_challenge_method=S256&state=s{index}"
        )
        assert page.status == 200
        ids.append(page.text.split('name="request_id" value="', 1)[1].split('"', 1)[0])
    oldest = http.post(
        f"{tenant.ready.issuer}/oauth/authorize", form={"request_id": ids[0], "decision": "approve"}
    )
    assert oldest.status == 400
    newest = http.post(
        f"{tenant.ready.issuer}/oauth/authorize",
        form={"request_id": ids[-1], "decision": "approve"},
    )
    assert newest.status == 302
    stats = ControlClient(small_backend.ready.control).tenants()
    assert stats["device_codes_dropped"] >= 3 and stats["browser_requests_dropped"] >= 2
