"""A web page in the person's browser gets nothing from the loopback services: a
foreign ``Host`` (DNS rebinding) is refused on every route, and a cross-site write
(``Origin`` of another site, ``Sec-Fetch-Site: cross-site``) on the approval page, the
control API and the websocket upgrade; clients that are not browsers are unaffected."""

from __future__ import annotations

import aiohttp
import pytest

from mock_backend.request_guard import RequestGuard, host_name
from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient
from .test_browser_login import authorize_url


def _port(tenant: MockTenant) -> int:
    return int(tenant.ready.issuer.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:80", "127.0.0.1.nip.io", "localhost.attacker.example"],
)
def test_a_rebinding_page_reads_nothing(
    device: DeviceClient, mock_tenant: MockTenant, host: str
) -> None:
    tokens = device.login()
    journal = http.get(f"{mock_tenant.ready.control}/journal", headers={"Host": host})
    assert journal.status == 403
    assert journal.json["error"] == "foreign_host"
    assert "refresh_token" not in journal.text and tokens["refresh_token"] not in journal.text
    page = http.get(mock_tenant.ready.verification_page, headers={"Host": host})
    assert page.status == 403 and page.headers["Content-Type"].startswith("text/html")
    usage = device.backend_get("wham/usage", tokens["access_token"], Host=host)
    assert usage.status == 403 and "not served here" in usage.json["detail"]
    token = http.post(
        f"{device.issuer}/oauth/token", form={"grant_type": "x"}, headers={"Host": host}
    )
    assert (token.status, token.json["error"]) == (403, "foreign_host")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost:{port}",
        "LOCALHOST",
        "127.0.0.2:{port}",
        "[::1]:{port}",
        "auth.openai.com",
        "chatgpt.com:443",
        "localhost.",
    ],
)
def test_loopback_names_and_intercepted_hosts_are_served(
    mock_tenant: MockTenant, host: str
) -> None:
    headers = {"Host": host.format(port=_port(mock_tenant))}
    assert http.get(f"{mock_tenant.ready.control}/journal", headers=headers).status == 200


def _submit(tenant: MockTenant, user_code: str, **headers: str) -> http.Reply:
    return http.post(
        tenant.ready.verification_page,
        form={"user_code": user_code, "decision": "approve", "email": "x@example.com"},
        headers=headers,
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.attacker.example:8000"},
        {"Origin": "file://"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://attacker.example", "Sec-Fetch-Site": "same-origin"},
    ],
)
def test_a_cross_site_form_post_approves_nothing(
    device: DeviceClient, mock_tenant: MockTenant, headers: dict[str, str]
) -> None:
    code = device.new_code()
    reply = _submit(mock_tenant, code["user_code"], **headers)
    assert reply.status == 403, reply.text
    assert "cross-site" in reply.text
    assert mock_tenant.control.device_codes()[0]["state"] == "pending"
    control = http.post(
        f"{mock_tenant.ready.control}/device-codes/{code['user_code']}/approve", headers=headers
    )
    assert (control.status, control.json["error"]) == (403, "cross_site_request")
    assert mock_tenant.control.device_codes()[0]["state"] == "pending"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, codex, the control client: no browser headers at all
        {"Origin": "http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},
        {"Origin": "https://auth.openai.com"},
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_the_page_itself_and_other_clients_still_approve(
    device: DeviceClient, mock_tenant: MockTenant, headers: dict[str, str]
) -> None:
    code = device.new_code()
    sent = {k: v.format(port=_port(mock_tenant)) for k, v in headers.items()}
    reply = _submit(mock_tenant, code["user_code"], **sent)
    assert reply.status == 200, reply.text
    assert mock_tenant.control.device_codes()[0]["state"] == "approved"


def test_a_link_from_another_site_still_opens_the_page(mock_tenant: MockTenant) -> None:
    reply = http.get(
        f"{mock_tenant.ready.verification_page}?user_code=ABCD-EFGH",
        headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
    )
    assert reply.status == 200


async def test_a_websocket_from_another_site_is_refused(mock_tenant: MockTenant) -> None:
    url = mock_tenant.ready.issuer + "/backend-api/codex/responses"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await session.ws_connect(url, headers={"Origin": "https://attacker.example"})
        assert info.value.status == 403
        async with session.ws_connect(url, headers={"Origin": "http://127.0.0.1"}) as ws:
            assert not ws.closed


def test_host_names_are_read_strictly() -> None:
    guard = RequestGuard(("auth.openai.com", "chatgpt.com", "127.0.0.1"))
    assert host_name("[::1]:8080") == "::1"
    assert host_name("Auth.OpenAI.com.:443") == "auth.openai.com"
    for junk in ("attacker.example@127.0.0.1", "127.0.0.1/x", "127.0.0.1 x", "", "[::1"):
        assert not guard.allowed(host_name(junk)), junk
    for loopback in ("127.0.0.1", "127.255.0.1", "[::1]", "localhost", "chatgpt.com"):
        assert guard.allowed(host_name(loopback)), loopback
    assert not guard.allowed(host_name("0.0.0.0"))
    assert not guard.allowed(host_name("10.0.0.1"))


def test_no_page_of_the_mock_can_be_framed(device: DeviceClient, mock_tenant: MockTenant) -> None:
    """Framed by another site, the page would post with its own origin: clickjacking."""
    code = device.new_code()
    pages = [
        http.get(mock_tenant.ready.verification_page),
        _submit(mock_tenant, code["user_code"]),
        http.get(mock_tenant.ready.verification_page, headers={"Host": "attacker.example"}),
        http.get(f"{device.issuer}/deviceauth/callback"),
        http.get(authorize_url(mock_tenant, "v" * 43)),
    ]
    assert 'name="request_id"' in pages[-1].text  # the browser login page itself, not an error
    for page in pages:
        assert page.headers["Content-Type"].startswith("text/html")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
