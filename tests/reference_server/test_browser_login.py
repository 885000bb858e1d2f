"""Browser login side by side. Both servers listen on 127.0.0.1:1455 for the callback,
so these tests hold a file lock while they run: one at a time, whatever the worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from conformance.exclusive import hold
from mock_backend.tenant_handle import MockTenant
from tests.support import http
from tests.support.app_server import AppServer

pytestmark = pytest.mark.real_binary


@pytest.fixture(autouse=True)
def callback_port() -> Iterator[None]:
    with hold("callback-port-1455"):
        yield


QUERY_KEYS = {
    "response_type",
    "client_id",
    "redirect_uri",
    "code_challenge",
    "code_challenge_method",
    "state",
    "scope",
    "id_token_add_organizations",
    "codex_cli_simplified_flow",
    "originator",
}


def start_browser(server_argv: list[str], mock_tenant: MockTenant, tmp_path: Path) -> AppServer:
    home = tmp_path / "home"
    home.mkdir()
    server = AppServer.stdio(server_argv, mock_tenant.override_env(home), home)
    server.initialize()
    return server


def test_browser_login_end_to_end(
    server_argv: list[str], mock_tenant: MockTenant, tmp_path: Path
) -> None:
    with start_browser(server_argv, mock_tenant, tmp_path) as server:
        first = server.call("account/login/start", {"type": "chatgpt"})["result"]
        assert first["type"] == "chatgpt"
        url = urlsplit(first["authUrl"])
        query = dict(parse_qsl(url.query))
        assert f"{url.scheme}://{url.netloc}{url.path}" == (
            f"{mock_tenant.ready.issuer}/oauth/authorize"
        )
        assert set(query) == QUERY_KEYS
        assert query["redirect_uri"] == "http://127.0.0.1:1455/auth/callback"
        assert (query["code_challenge_method"], query["originator"]) == ("S256", "kit-tests")

        wrong = http.get(f"{query['redirect_uri']}?code=x&state=not-the-state")
        assert (wrong.status, wrong.text) == (400, "State mismatch")

        second = server.call("account/login/start", {"type": "chatgpt"})["result"]
        replaced = server.notification("account/login/completed")["params"]
        assert (replaced["loginId"], replaced["success"], replaced["error"]) == (
            first["loginId"],
            False,
            "Login server error: Login cancelled",
        )

        mock_tenant.control.script("approved", persona={"email": "web@example.com"})
        redirect = http.get(second["authUrl"])
        assert redirect.status == 302
        callback = http.get(redirect.location)
        assert callback.status == 302
        assert urlsplit(callback.location).path == "/success"
        assert http.get(callback.location).status == 200
        done = server.notification("account/login/completed")["params"]
        assert (done["loginId"], done["success"]) == (second["loginId"], True)
        assert server.notification("account/updated")["params"]["authMode"] == "chatgpt"
        account = server.call("account/read", {})["result"]["account"]
        assert account["email"] == "web@example.com"
