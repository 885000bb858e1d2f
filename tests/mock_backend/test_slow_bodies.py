"""A body that never finishes arriving is answered 408 once ``body_timeout`` has
passed (and the connection is not kept for another request), on every route, the
model endpoint included; an answer that is slow to stream is not limited by it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import aiohttp
import pytest

from mock_backend import BackendConfig, BackendThread
from mock_backend.tenant_handle import MockTenant

from .test_model_endpoint import ModelClient, sse_events, user

BODY_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def impatient() -> Iterator[BackendThread]:
    with BackendThread(BackendConfig(proxy=False, body_timeout=BODY_TIMEOUT)) as backend:
        yield backend


@pytest.fixture
def tenant(impatient: BackendThread) -> Iterator[MockTenant]:
    made = MockTenant.of(impatient.tenant("slow"))
    yield made
    impatient.delete_tenant("slow")


async def _half_sent(url: str, head: str, part: bytes) -> bytes:
    """Send a request head and part of its body, then read the answer that comes back."""
    rest = url.split("://", 1)[1]
    address, _, path = rest.partition("/")
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"{head.format(path='/' + path, host=address)}\r\n\r\n".encode() + part)
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
        length = next(
            int(line.split(b":", 1)[1])
            for line in answer.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        answer += await asyncio.wait_for(reader.readexactly(length), 20)
        assert b"Connection: close" in answer
        return answer
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/oauth/token", b'"error": "request_timeout"'),
        ("/api/accounts/deviceauth/usercode", b'"error": "request_timeout"'),
        ("/_mock/model/responses", b'"error": "request_timeout"'),
        ("/backend-api/codex/responses", b'"detail": "'),
        ("/codex/device", b"<!doctype html>"),
    ],
)
@pytest.mark.parametrize("framing", ["Content-Length: 1000", "Transfer-Encoding: chunked"])
async def test_a_half_sent_body_gets_408(
    tenant: MockTenant, path: str, named: bytes, framing: str
) -> None:
    part = b'5\r\n{"a":\r\n' if "chunked" in framing else b'{"a": '
    answer = await _half_sent(
        tenant.ready.issuer + path,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n" + framing,
        part,
    )
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert named in answer
    assert f"{BODY_TIMEOUT:g} s".encode() in answer
    if not path.startswith("/_mock"):  # the control API is not journaled
        journal = tenant.control.journal()
        assert journal[-1]["status"] == 408 and "slow_body" in journal[-1]["flags"]


async def test_an_answer_slower_than_the_body_timeout_streams_whole(tenant: MockTenant) -> None:
    client = ModelClient(tenant)
    tenant.control.queue_model_response(
        {"text": "one two three four", "stream": True, "chunk_delay_ms": 200}
    )
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            client.url,
            data=json.dumps({"model": "mock-model", "input": [user("hi")]}),
            headers={**client.headers, "Content-Type": "application/json"},
        ) as reply,
    ):
        text = await reply.text()
    events = sse_events(text)
    assert len(events) > 5  # 200 ms between events: well past the 0.5 s body timeout
    assert events[-1]["type"] == "response.completed"
