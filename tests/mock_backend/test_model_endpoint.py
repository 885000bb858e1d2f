"""The model endpoint over HTTP (SSE) and websocket, as a client sees it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from backports import zstd

from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support import http


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def sse_events(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


class ModelClient:
    """Speaks to one tenant's model endpoint with a minted token, as codex does."""

    def __init__(self, tenant: MockTenant) -> None:
        self.tenant = tenant
        self.url = tenant.ready.issuer + "/backend-api/codex/responses"
        minted = tenant.control.mint_tokens(email="m@example.com")
        self.account = minted["persona"]["account_id"]
        self.headers = {
            "Authorization": f"Bearer {minted['access_token']}",
            "chatgpt-account-id": self.account,
        }
        self.tokens = minted

    def post(self, body: Any, *, compress: bool = True, raw: bytes | None = None) -> http.Reply:
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        if compress and raw is None:
            data = zstd.compress(data)
            headers["Content-Encoding"] = "zstd"
        return http.post(self.url, data=data, headers=headers)


async def read_into(response: aiohttp.ClientResponse, chunks: list[bytes]) -> None:
    async for chunk in response.content.iter_any():
        chunks.append(chunk)


@pytest.fixture
def client(mock_tenant: MockTenant) -> ModelClient:
    return ModelClient(mock_tenant)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as open_session:
        yield open_session


def test_sse_answer_with_usage_and_rate_limit_headers(
    client: ModelClient, mock_model: MockModel
) -> None:
    mock_model.respond(
        {
            "text": "Hi there",
            "stream": True,
            "usage": {"input_tokens": 5, "output_tokens": 2},
            "rate_limits": {"primary": {"used_percent": 40, "window_minutes": 300}},
        }
    )
    tools = [
        {"type": "function", "name": "exec_command", "parameters": {}},
        {"type": "custom", "name": "apply_patch"},
        {"type": "web_search"},
    ]
    reply = client.post({"model": "mock-model", "input": [user("hello")], "tools": tools})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/event-stream"
    assert reply.headers["x-codex-primary-used-percent"] == "40"
    events = sse_events(reply.text)
    assert [e["type"] for e in events][-1] == "response.completed"
    assert "".join(e["delta"] for e in events if e["type"].endswith(".delta")) == "Hi there"
    assert events[-1]["response"]["usage"]["total_tokens"] == 7
    [seen] = mock_model.requests()
    assert (seen["transport"], seen["model"], seen["answered_by"]) == (
        "http",
        "mock-model",
        "script",
    )
    assert seen["input"] == [user("hello")]
    assert seen["tools"] == ["exec_command", "apply_patch", "web_search"]
    assert seen["auth"]["bearer"] == "live"
    assert seen["auth"]["issued_by_tenant"] is True
    assert seen["auth"]["account_matches"] is True
    assert seen["output"][0]["content"][0]["text"] == "Hi there"


def test_plain_json_bodies_work_too(client: ModelClient, mock_model: MockModel) -> None:
    reply = client.post({"model": "m", "input": [user("plain")]}, compress=False)
    assert sse_events(reply.text)[-2]["item"]["content"][0]["text"] == "Mock answer to: plain"
    assert mock_model.requests()[0]["tools"] == []  # a body without tools offers none


def test_scripted_status_and_failed_stream(client: ModelClient, mock_model: MockModel) -> None:
    limit = {"error": {"type": "usage_limit_reached", "message": "limit", "resets_at": 1}}
    mock_model.respond({"status": 429, "body": limit}, {"failed": {"code": "insufficient_quota"}})
    first = client.post({"model": "m", "input": [user("a")]})
    assert (first.status, first.json) == (429, limit)
    second = client.post({"model": "m", "input": [user("b")]})
    assert sse_events(second.text)[-1]["response"]["error"]["code"] == "insufficient_quota"
    statuses = [r["status"] for r in mock_model.requests()]
    assert statuses == [429, 200]


def test_when_matches_the_last_user_message(client: ModelClient, mock_model: MockModel) -> None:
    mock_model.respond({"text": "deploying", "when": {"input_contains": "deploy"}}, {"text": "any"})
    texts = [
        sse_events(client.post({"model": "m", "input": [user(t)]}).text)[-2]["item"]["content"][0][
            "text"
        ]
        for t in ("please deploy", "hello", "hello")
    ]
    assert texts == ["deploying", "any", "Mock answer to: hello"]


@pytest.mark.parametrize(
    ("raw", "headers", "why"),
    [
        (b"not json", {}, "neither JSON nor zstd-compressed JSON"),
        (b"garbage", {"Content-Encoding": "zstd"}, "does not decode as Content-Encoding zstd"),
        (b"[]", {}, "must be a JSON object"),
    ],
)
def test_bad_bodies_get_400_and_a_journal_entry(
    client: ModelClient, mock_tenant: MockTenant, raw: bytes, headers: dict[str, str], why: str
) -> None:
    reply = http.post(client.url, data=raw, headers={**client.headers, **headers})
    assert reply.status == 400
    assert why in reply.json["detail"]
    [entry] = mock_tenant.control.journal(route="codex_responses")
    assert why in entry["note"]
    assert "bad_model_request" in entry["flags"]
    [record] = mock_tenant.control.model_requests()
    assert (record["kind"], record["status"]) == ("rejected", 400)
    # The tenant still answers.
    assert client.post({"model": "m", "input": [user("still here")]}).status == 200


async def test_cut_after_drops_the_stream(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession
) -> None:
    mock_model.respond({"text": "a b c", "stream": True, "cut_after": 2})
    body = {"model": "m", "input": [user("x")]}
    async with session.post(client.url, json=body, headers=client.headers) as response:
        assert response.status == 200
        received: list[bytes] = []
        with pytest.raises(aiohttp.ClientPayloadError):
            await read_into(response, received)
    assert [e["type"] for e in sse_events(b"".join(received).decode())] == [
        "response.created",
        "response.output_item.added",
    ]
    entries = client.tenant.control.journal(route="codex_responses")
    assert "cut_after:2" in entries[0]["flags"]


def test_tokens_the_mock_would_not_accept_are_flagged(
    client: ModelClient, mock_tenant: MockTenant
) -> None:
    body = json.dumps({"model": "m", "input": []}).encode()
    http.post(client.url, data=body, headers={"Authorization": "Bearer not-a-jwt"})
    http.post(client.url, data=body)
    revoke = http.post(
        mock_tenant.ready.issuer + "/oauth/revoke",
        json_body={"token": client.tokens["access_token"]},
    )
    assert revoke.status == 200
    http.post(client.url, data=body, headers={**client.headers, "chatgpt-account-id": "other"})
    flags = [e["flags"] for e in mock_tenant.control.journal(route="codex_responses")]
    assert flags == [["token_not_issued"], ["token_missing"], ["token_revoked"]]
    auths = [r["auth"] for r in mock_tenant.control.model_requests()]
    assert [a["bearer"] for a in auths] == ["not_issued", "missing", "revoked"]
    assert auths[2]["account_matches"] is False


def test_unprefixed_requests_find_the_tenant_of_their_token(client: ModelClient) -> None:
    """The workspace origin has no /t/{tenant} prefix: the token tells the tenant."""
    root = client.url.split("/t/")[0] + "/backend-api/codex/responses"
    reply = http.post(root, json_body={"model": "m", "input": [user("hi")]}, headers=client.headers)
    assert reply.status == 200
    assert [r["input"] for r in client.tenant.control.model_requests()] == [[user("hi")]]


async def test_websocket_prewarm_and_previous_response_id(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession
) -> None:
    mock_model.respond({"text": "first answer"})
    async with session.ws_connect(client.url, headers=client.headers) as ws:

        async def turn(body: dict[str, Any]) -> list[dict[str, Any]]:
            await ws.send_str(json.dumps({"type": "response.create", **body}))
            events = []
            while not events or events[-1]["type"] not in ("response.completed", "error"):
                events.append(json.loads((await ws.receive(timeout=5)).data))
            return events

        warm = await turn({"model": "m", "input": [user("prompt")], "generate": False})
        assert [e["type"] for e in warm] == ["response.created", "response.completed"]
        warm_id = warm[-1]["response"]["id"]
        first = await turn({"model": "m", "previous_response_id": warm_id, "input": [user("q1")]})
        first_id = first[-1]["response"]["id"]
        await ws.send_str(json.dumps({"type": "response.processed", "response_id": first_id}))
        second = await turn({"model": "m", "previous_response_id": first_id, "input": [user("q2")]})
        assert second[-2]["item"]["content"][0]["text"] == "Mock answer to: q2"
        bad = await turn({"model": 3})
        assert (bad[-1]["type"], bad[-1]["status"]) == ("error", 400)
        again = await turn({"model": "m", "input": [user("still open")]})
        assert again[-1]["type"] == "response.completed"
    records = mock_model.requests(kind=None)
    assert [r["kind"] for r in records] == ["prewarm", "turn", "turn", "rejected", "turn"]
    third = records[2]
    assert third["input"] == [user("q2")]
    assert [i.get("role") for i in third["full_input"]] == ["user", "user", "assistant", "user"]
    assert third["full_input"][2]["content"][0]["text"] == "first answer"


@pytest.mark.parametrize("status", [426, 404])
async def test_websocket_upgrade_can_be_refused(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession, status: int
) -> None:
    mock_model.settings(websocket=str(status))
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await session.ws_connect(client.url, headers=client.headers)
    assert info.value.status == status


async def test_websocket_failures_are_error_frames(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession
) -> None:
    mock_model.respond({"status": 429, "rate_limits": {"primary": {"used_percent": 100}}})
    mock_model.respond({"text": "x y", "stream": True, "cut_after": 2})
    async with session.ws_connect(client.url, headers=client.headers) as ws:
        await ws.send_str(json.dumps({"type": "response.create", "model": "m", "input": []}))
        frame = json.loads((await ws.receive(timeout=5)).data)
        assert (frame["type"], frame["status"]) == ("error", 429)
        assert frame["headers"] == {"x-codex-primary-used-percent": "100"}
        await ws.send_str(json.dumps({"type": "response.create", "model": "m", "input": []}))
        kinds = [json.loads((await ws.receive(timeout=5)).data)["type"] for _ in range(2)]
        assert kinds == ["response.created", "response.output_item.added"]
        assert (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE


def test_enforced_auth_answers_401_without_taking_a_script(
    client: ModelClient, mock_model: MockModel, mock_tenant: MockTenant
) -> None:
    mock_model.settings(auth="enforce")
    mock_model.respond({"text": "for the live token"})
    refused = http.post(client.url, json_body={"model": "m", "input": []})
    assert refused.status == 401
    assert refused.json["error"]["message"] == "unauthorized: token missing"
    assert client.post({"model": "m", "input": [user("hi")]}).status == 200
    kinds = [(r["kind"], r["status"]) for r in mock_model.requests(kind=None)]
    assert kinds == [("rejected", 401), ("turn", 200)]
    assert mock_tenant.control.model_responses() == []


async def test_enforced_auth_refuses_the_upgrade(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession
) -> None:
    mock_model.settings(auth="enforce")
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await session.ws_connect(client.url, headers={"Authorization": "Bearer x.y.z"})
    assert info.value.status == 401
    async with session.ws_connect(client.url, headers=client.headers) as ws:
        await ws.send_str(json.dumps({"type": "response.create", "model": "m", "input": []}))
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "response.created"


async def test_a_token_revoked_mid_socket_gets_a_401_frame_recorded_with_its_token(
    client: ModelClient, mock_model: MockModel, session: aiohttp.ClientSession
) -> None:
    mock_model.settings(auth="enforce")
    revoke = client.tenant.ready.issuer + "/oauth/revoke"
    async with session.ws_connect(client.url, headers=client.headers) as ws:
        assert http.post(revoke, json_body={"token": client.tokens["access_token"]}).status == 200
        await ws.send_str(json.dumps({"type": "response.create", "model": "m", "input": []}))
        frame = json.loads((await ws.receive(timeout=5)).data)
        assert (frame["type"], frame["status"]) == ("error", 401)
        assert frame["error"]["code"] == "token_invalid"
    [rejected] = mock_model.requests(kind="rejected")
    assert (rejected["transport"], rejected["status"]) == ("websocket", 401)
    assert rejected["auth"]["bearer"] == "revoked"
    assert rejected["auth"]["account_id"] == client.account
