"""The HTTPS proxy: TLS for the two intercepted hosts, 403 for everything else,
and never a connection to anything but the mock itself."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
import pytest

from mock_backend import BackendConfig, MockBackend
from mock_backend import proxy as proxy_module
from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.tenant_handle import MockTenant


async def _raw(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    await writer.wait_closed()
    return data


def _proxy_port(tenant: MockTenant) -> int:
    assert tenant.ready.proxy is not None
    return int(tenant.ready.proxy.rsplit(":", 1)[1])


async def test_intercepted_hosts_are_served_over_tls_with_the_test_ca(
    mock_tenant: MockTenant,
) -> None:
    assert mock_tenant.ready.ca_cert is not None
    context = ssl.create_default_context(cafile=mock_tenant.ready.ca_cert)
    async with aiohttp.ClientSession() as session:
        async with session.get(
            "https://auth.openai.com/.well-known/jwks.json",
            proxy=mock_tenant.ready.proxy,
            ssl=context,
        ) as reply:
            assert reply.status == 200
            assert (await reply.json())["keys"]
        async with session.get(
            "https://chatgpt.com/backend-api/wham/usage",
            proxy=mock_tenant.ready.proxy,
            ssl=context,
        ) as reply:
            assert reply.status == 401  # no token: answered by the mock, not the real site
    routes = [(e["route"], e["via"]) for e in mock_tenant.control.journal()]
    assert routes == [("jwks", "proxy:auth.openai.com"), ("usage", "proxy:chatgpt.com")]


async def test_a_device_login_through_the_proxy_calls_back_to_the_proxied_issuer(
    mock_tenant: MockTenant,
) -> None:
    """Through the proxy the binary's issuer is https://auth.openai.com: that is the
    redirect_uri the exchange must carry, not the mock's loopback address."""
    assert mock_tenant.ready.ca_cert is not None
    context = ssl.create_default_context(cafile=mock_tenant.ready.ca_cert)
    auth = "https://auth.openai.com"
    mock_tenant.control.script("approved")
    async with aiohttp.ClientSession() as session:

        async def post(path: str, **kwargs: Any) -> tuple[int, Any]:
            async with session.post(
                auth + path, proxy=mock_tenant.ready.proxy, ssl=context, **kwargs
            ) as reply:
                return reply.status, await reply.json()

        _, code = await post(
            "/api/accounts/deviceauth/usercode", json={"client_id": CODEX_CLIENT_ID}
        )
        status, grant = await post(
            "/api/accounts/deviceauth/token",
            json={"device_auth_id": code["device_auth_id"], "user_code": code["user_code"]},
        )
        assert status == 200, grant
        form = {
            "grant_type": "authorization_code",
            "code": grant["authorization_code"],
            "client_id": CODEX_CLIENT_ID,
            "code_verifier": grant["code_verifier"],
        }
        loopback = f"{mock_tenant.ready.issuer}/deviceauth/callback"
        status, refused = await post("/oauth/token", data={**form, "redirect_uri": loopback})
        assert (status, refused["error"]) == (400, "invalid_grant")
        callback = f"{auth}/deviceauth/callback"
        status, tokens = await post("/oauth/token", data={**form, "redirect_uri": callback})
        assert status == 200, tokens
        assert tokens["refresh_token"]


async def test_the_real_ca_store_does_not_trust_the_proxy(mock_tenant: MockTenant) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get(
                "https://auth.openai.com/.well-known/jwks.json",
                proxy=mock_tenant.ready.proxy,
                ssl=ssl.create_default_context(),
            )


@pytest.mark.parametrize(
    "request_head",
    [
        b"CONNECT github.com:443 HTTP/1.1\r\nHost: github.com:443\r\n\r\n",
        b"CONNECT auth.openai.com:80 HTTP/1.1\r\nHost: auth.openai.com:80\r\n\r\n",
        b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
    ],
)
async def test_other_hosts_are_refused_and_journaled(
    mock_tenant: MockTenant, request_head: bytes
) -> None:
    port = _proxy_port(mock_tenant)
    credentials = f"{mock_tenant.name}:mock".encode()
    import base64

    head = request_head.replace(
        b"\r\n\r\n",
        b"\r\nProxy-Authorization: Basic " + base64.b64encode(credentials) + b"\r\n\r\n",
    )
    answer = await _raw(port, head)
    assert answer.startswith(b"HTTP/1.1 403")
    refused = mock_tenant.control.journal(route="proxy_refused")
    assert len(refused) == 1
    assert refused[0]["flags"] == ["refused"]


async def test_garbage_and_oversized_heads(mock_tenant: MockTenant) -> None:
    port = _proxy_port(mock_tenant)
    assert (await _raw(port, b"hello\r\n\r\n")).startswith(b"HTTP/1.1 400")
    huge = b"CONNECT auth.openai.com:443 HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"
    assert (await _raw(port, huge)).startswith(b"HTTP/1.1 431")


async def test_invalid_tenant_credentials_are_refused(mock_tenant: MockTenant) -> None:
    import base64

    port = _proxy_port(mock_tenant)
    head = (
        b"CONNECT auth.openai.com:443 HTTP/1.1\r\nProxy-Authorization: Basic "
        + base64.b64encode(b"no such/tenant:x")
        + b"\r\n\r\n"
    )
    assert (await _raw(port, head)).startswith(b"HTTP/1.1 403")


async def test_the_proxy_only_ever_dials_the_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    dialed: list[tuple[Any, ...]] = []
    real_open = asyncio.open_connection

    async def recording_open(host: str, port: int, **kwargs: Any) -> Any:
        dialed.append((host, port))
        return await real_open(host, port, **kwargs)

    monkeypatch.setattr(proxy_module.asyncio, "open_connection", recording_open)
    async with MockBackend(BackendConfig()) as backend:
        ready = backend.ready
        assert ready.proxy is not None and ready.ca_cert is not None
        port = int(ready.proxy.rsplit(":", 1)[1])
        for host in ("github.com:443", "example.com:443", "10.0.0.1:443", "[::1]:443"):
            answer = await _raw(port, f"CONNECT {host} HTTP/1.1\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.1 403")
        context = ssl.create_default_context(cafile=ready.ca_cert)
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                "https://auth.openai.com/codex/device", proxy=ready.proxy, ssl=context
            ) as reply,
        ):
            assert reply.status == 200
        # The test's own connections go to the proxy; the proxy's only go to the mock.
        mock_address = ("127.0.0.1", backend.endpoints.port)
        assert set(dialed) == {("127.0.0.1", port), mock_address}
        assert dialed.count(mock_address) == 1


async def test_non_loopback_bind_is_refused() -> None:
    from mock_backend.server import NotLoopback

    with pytest.raises(NotLoopback, match="loopback only"):
        MockBackend(BackendConfig(host="0.0.0.0"))


async def test_a_stream_the_mock_cuts_reaches_the_client_as_a_cut_at_once(
    mock_tenant: MockTenant,
) -> None:
    """The mock closing its side ends the tunnel: a client sees the scripted cut when it
    happens, not when the proxy's grace for the other direction runs out (5 s)."""
    from mock_backend.model_handle import MockModel

    MockModel(mock_tenant.control).respond({"text": "one two three four", "cut_after": 1})
    assert mock_tenant.ready.ca_cert is not None
    context = ssl.create_default_context(cafile=mock_tenant.ready.ca_cert)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            "https://chatgpt.com/backend-api/codex/responses",
            json={"model": "mock-model", "input": [], "stream": True},
            proxy=mock_tenant.ready.proxy,
            ssl=context,
        ) as reply,
    ):
        assert reply.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await asyncio.wait_for(reply.read(), 2.5)
    [cut] = [e for e in mock_tenant.control.journal() if e["route"] == "codex_responses"]
    assert "cut_after:1" in cut["flags"]


async def test_a_client_that_stops_reading_a_stream_leaves_no_traceback(
    mock_tenant: MockTenant, caplog: pytest.LogCaptureFixture
) -> None:
    """Going away mid-stream is what clients do (an interrupted turn): not an error."""
    from mock_backend.model_handle import MockModel

    MockModel(mock_tenant.control).respond(
        {"text": " ".join(["word"] * 50), "stream": True, "chunk_delay_ms": 20}
    )
    base = mock_tenant.ready.issuer
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/backend-api/codex/responses",
            json={"model": "mock-model", "input": [], "stream": True},
        ) as reply,
    ):
        assert reply.status == 200
        await reply.content.readline()
    await asyncio.sleep(0.3)  # the mock writes on into the closed connection
    noisy = [r for r in caplog.records if r.exc_info and r.name.startswith("aiohttp")]
    assert noisy == []
