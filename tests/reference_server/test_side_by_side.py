"""The reference server and the real 0.163.0 binary, given the same requests and the
same backend, answer the same way (every test runs against both)."""

from __future__ import annotations

import json
import stat

import pytest

from conformance.releases import codex_binary
from mock_backend.tenant_handle import MockTenant
from tests.support.appserver_process import AppServerProcess

from .conftest import Start

pytestmark = pytest.mark.real_binary

DEVICE = {"type": "chatgptDeviceCode"}
NOT_ENABLED = (
    "device code login is not enabled for this Codex server. "
    "Use the browser login or verify the server URL."
)
LOGIN_VARIANTS = (
    "`apiKey`, `chatgpt`, `chatgptDeviceCode`, `chatgptAuthTokens`, "
    "`amazonBedrock`, `amazonBedrockAccessKeys`"
)


def error_of(reply: dict) -> tuple[int, str]:  # type: ignore[type-arg]
    assert "error" in reply, reply
    return reply["error"]["code"], reply["error"]["message"]


def no_update_after(server: AppServerProcess) -> None:
    server.call("account/read", {})
    assert server.notifications("account/updated") == []


def test_handshake_rules(start: Start, server_argv: list[str]) -> None:
    server = start(server_argv, initialize=False)
    assert error_of(server.call("account/read", {})) == (-32600, "Not initialized")
    result = server.initialize()["result"]
    name, _, rest = result["userAgent"].partition("/")
    assert name == "kit-tests" and rest.split(" ")[0]
    assert result["platformFamily"] == "unix"
    again = server.call("initialize", {"clientInfo": {"name": "x", "version": "1"}})
    assert error_of(again) == (-32600, "Already initialized")


def test_request_errors(start: Start, server_argv: list[str]) -> None:
    server = start(server_argv)
    assert error_of(server.call("account/read")) == (
        -32600,
        "Invalid request: missing field `params`",
    )
    assert error_of(server.call("account/login/start", {"type": "nope"})) == (
        -32600,
        f"Invalid request: unknown variant `nope`, expected one of {LOGIN_VARIANTS}",
    )
    assert error_of(server.call("account/login/start", {})) == (
        -32600,
        "Invalid request: missing field `type`",
    )
    assert error_of(server.call("account/read", {"refreshToken": "yes"})) == (
        -32600,
        'Invalid request: invalid type: string "yes", expected a boolean',
    )
    assert error_of(server.call("account/login/cancel", {"loginId": "abc"})) == (
        -32600,
        "invalid login id: abc",
    )
    unknown = error_of(server.call("nope/nothing", {}))
    assert unknown[0] == -32600
    assert unknown[1].startswith("Invalid request: unknown variant `nope/nothing`")
    cancel = server.call(
        "account/login/cancel", {"loginId": "6f1c9a52-4d9e-4a55-9b5b-2f3f3f3f3f3f"}
    )
    assert cancel["result"] == {"status": "notFound"}


def test_malformed_lines_get_no_reply_and_the_server_keeps_serving(
    start: Start, server_argv: list[str]
) -> None:
    server = start(server_argv)
    assert server.proc.stdin is not None
    server.proc.stdin.write(b'this is not json\n{"id": 99}\n[1,2]\n')
    server.proc.stdin.flush()
    read = server.call("account/read", {})
    assert read["result"]["account"] is None
    assert [m for m in server.seen if m.get("id") == 99] == []


def test_api_key_login_read_and_logout(
    start: Start, server_argv: list[str], tmp_path: object
) -> None:
    server = start(server_argv)
    login = server.call("account/login/start", {"type": "apiKey", "apiKey": "sk-test-1"})
    assert login["result"] == {"type": "apiKey"}
    completed = server.notification("account/login/completed")["params"]
    assert (completed["loginId"], completed["success"], completed["error"]) == (None, True, None)
    assert server.notification("account/updated")["params"] == {
        "authMode": "apikey",
        "planType": None,
    }
    read = server.call("account/read", {})["result"]
    assert read["account"] == {"type": "apiKey"}
    assert read["requiresOpenaiAuth"] is True
    auth = server.codex_home / "auth.json"
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    assert json.loads(auth.read_text()) == {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test-1"}
    assert error_of(server.call("account/rateLimits/read")) == (
        -32600,
        "chatgpt authentication required to read rate limits",
    )
    assert server.call("account/logout")["result"] == {}
    assert server.notification("account/updated")["params"] == {"authMode": None, "planType": None}
    assert not auth.exists()
    assert error_of(server.call("account/rateLimits/read")) == (
        -32600,
        "codex account authentication required to read rate limits",
    )


def test_device_login_approved(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("approved", persona={"email": "ada@example.com", "plan_type": "pro"})
    server = start(server_argv)
    started = server.call("account/login/start", DEVICE)["result"]
    assert started["verificationUrl"] == "https://auth.openai.com/codex/device"
    completed = server.notification("account/login/completed")["params"]
    assert completed == {
        "loginId": started["loginId"],
        "success": True,
        "error": None,
        "onboardingEntrypoint": None,
    }
    assert server.notification("account/updated")["params"] == {
        "authMode": "chatgpt",
        "planType": "pro",
    }
    read = server.call("account/read", {})["result"]
    assert read["account"] == {"type": "chatgpt", "email": "ada@example.com", "planType": "pro"}
    assert read["workspaceRouting"]["backendOrigin"] == "https://chatgpt.com"
    limits = server.call("account/rateLimits/read")["result"]["rateLimits"]
    assert limits["primary"] == {
        "usedPercent": 6,
        "windowDurationMins": 300,
        "resetsAt": limits["primary"]["resetsAt"],
    }
    assert limits["planType"] == "pro"
    stored = json.loads((server.codex_home / "auth.json").read_text())
    assert stored["auth_mode"] == "chatgpt"
    assert set(stored["tokens"]) == {"id_token", "access_token", "refresh_token", "account_id"}


@pytest.mark.parametrize("outcome", ["denied", "expired"])
def test_device_login_refused(
    start: Start, server_argv: list[str], mock_tenant: MockTenant, outcome: str
) -> None:
    mock_tenant.control.script(outcome)
    server = start(server_argv)
    started = server.call("account/login/start", DEVICE)["result"]
    completed = server.notification("account/login/completed")["params"]
    assert completed["loginId"] == started["loginId"]
    assert (completed["success"], completed["error"]) == (
        False,
        "device auth failed with status 400 Bad Request",
    )
    no_update_after(server)


def test_device_login_policy_disabled(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("policy_disabled")
    server = start(server_argv)
    assert error_of(server.call("account/login/start", DEVICE)) == (-32600, NOT_ENABLED)
    no_update_after(server)
    assert server.notifications("account/login/completed") == []


def test_usercode_server_error(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("server_error", stage="usercode")
    server = start(server_argv)
    assert error_of(server.call("account/login/start", DEVICE)) == (
        -32603,
        "failed to request device code: device code request failed with status "
        "500 Internal Server Error",
    )


def test_cancel_and_second_login(start: Start, server_argv: list[str]) -> None:
    server = start(server_argv)
    first = server.call("account/login/start", DEVICE)["result"]
    cancel = server.call("account/login/cancel", {"loginId": first["loginId"]})
    assert cancel["result"] == {"status": "canceled"}
    completed = server.notification("account/login/completed")["params"]
    assert (completed["loginId"], completed["success"], completed["error"]) == (
        first["loginId"],
        False,
        "Login was not completed",
    )
    again = server.call("account/login/cancel", {"loginId": first["loginId"]})
    assert again["result"] == {"status": "notFound"}


@pytest.mark.parametrize(("writer", "reader"), [("reference", "real"), ("real", "reference")])
def test_auth_json_is_shared_with_the_real_binary(
    start: Start, mock_tenant: MockTenant, tmp_path: object, writer: str, reader: str
) -> None:
    import sys
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    argv = {
        "real": [str(codex_binary("0.163.0")), "app-server"],
        "reference": [sys.executable, "-m", "reference_server", "app-server"],
    }
    home = tmp_path / "shared-home"
    mock_tenant.control.script(
        "approved", persona={"email": "both@example.com", "plan_type": "plus"}
    )
    first = start(argv[writer], home=home)
    first.call("account/login/start", DEVICE)
    assert first.notification("account/login/completed")["params"]["success"] is True
    first.notification("account/updated")
    first.close()
    second = start(argv[reader], home=home)
    account = second.call("account/read", {})["result"]["account"]
    assert account == {"type": "chatgpt", "email": "both@example.com", "planType": "plus"}


def test_chatgpt_auth_tokens_login(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    minted = mock_tenant.control.mint_tokens(email="ext@example.com", plan_type="plus")
    account_id = minted["persona"]["account_id"]
    params = {
        "type": "chatgptAuthTokens",
        "accessToken": minted["access_token"],
        "chatgptAccountId": account_id,
        "chatgptPlanType": None,
    }
    server = start(server_argv, initialize=False)
    server.initialize(experimental=False)
    assert error_of(server.call("account/login/start", params)) == (
        -32600,
        "account/login/start.chatgptAuthTokens requires experimentalApi capability",
    )
    server.close()
    server = start(server_argv, initialize=False)
    server.initialize(experimental=True)
    assert server.call("account/login/start", params)["result"] == {"type": "chatgptAuthTokens"}
    completed = server.notification("account/login/completed")["params"]
    assert (completed["loginId"], completed["success"]) == (None, True)
    assert server.notification("account/updated")["params"] == {
        "authMode": "chatgptAuthTokens",
        "planType": "plus",
    }
    read = server.call("account/read", {})["result"]
    assert read["account"] == {"type": "chatgpt", "email": "ext@example.com", "planType": "plus"}
    assert read["workspaceRouting"]["chatgptAccountId"] == account_id
    assert not (server.codex_home / "auth.json").exists()


def test_rate_limits_with_a_revoked_token(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    from tests.support import http

    minted = mock_tenant.control.mint_tokens(email="ext@example.com", plan_type="plus")
    server = start(server_argv, initialize=False)
    server.initialize(experimental=True)
    server.call(
        "account/login/start",
        {
            "type": "chatgptAuthTokens",
            "accessToken": minted["access_token"],
            "chatgptAccountId": minted["persona"]["account_id"],
        },
    )
    server.notification("account/updated")
    http.post(
        f"{mock_tenant.ready.issuer}/oauth/revoke", json_body={"token": minted["access_token"]}
    )
    code, message = error_of(server.call("account/rateLimits/read"))
    assert code == -32603
    assert message.startswith(
        "failed to fetch codex rate limits: GET https://chatgpt.com/backend-api/wham/usage "
        "failed: 401 Unauthorized; content-type=application/json"
    )


@pytest.mark.parametrize(
    ("config", "refused", "message"),
    [
        (
            'forced_login_method = "api"\n',
            DEVICE,
            "ChatGPT login is disabled. Use API key login instead.",
        ),
        (
            'forced_login_method = "chatgpt"\n',
            {"type": "apiKey", "apiKey": "sk-1"},
            "API key login is disabled. Use ChatGPT login instead.",
        ),
    ],
)
def test_forced_login_method(
    start: Start,
    server_argv: list[str],
    tmp_path: object,
    config: str,
    refused: dict,  # type: ignore[type-arg]
    message: str,
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    home = tmp_path / "forced"
    home.mkdir()
    (home / "config.toml").write_text(config)
    server = start(server_argv, home=home)
    assert error_of(server.call("account/login/start", refused)) == (-32600, message)


def test_forced_workspace(
    start: Start, server_argv: list[str], mock_tenant: MockTenant, tmp_path: object
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    home = tmp_path / "forced-ws"
    home.mkdir()
    (home / "config.toml").write_text('forced_chatgpt_workspace_id = "ws-allowed"\n')
    mock_tenant.control.script("approved", persona={"account_id": "ws-elsewhere"})
    server = start(server_argv, home=home)
    server.call("account/login/start", DEVICE)
    completed = server.notification("account/login/completed")["params"]
    assert (completed["success"], completed["error"]) == (
        False,
        "Login is restricted to workspace id(s) ws-allowed.",
    )
    assert not (home / "auth.json").exists()


def test_refresh_server_request_after_a_401_on_workspace_policies(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    minted = mock_tenant.control.mint_tokens(email="biz@example.com", plan_type="business")
    account_id = minted["persona"]["account_id"]
    mock_tenant.control.fault("config_bundle", "status", status=401)
    server = start(server_argv, initialize=False)
    server.initialize(experimental=True)
    server.call(
        "account/login/start",
        {
            "type": "chatgptAuthTokens",
            "accessToken": minted["access_token"],
            "chatgptAccountId": account_id,
        },
    )
    request = server.wait_for(
        lambda m: m.get("method") == "account/chatgptAuthTokens/refresh" and "id" in m,
        "the account/chatgptAuthTokens/refresh server request",
    )
    assert request["params"] == {"reason": "unauthorized", "previousAccountId": account_id}
    fresh = mock_tenant.control.mint_tokens(
        email="biz@example.com", plan_type="business", account_id=account_id
    )
    server.send(
        {
            "id": request["id"],
            "result": {
                "accessToken": fresh["access_token"],
                "chatgptAccountId": account_id,
                "chatgptPlanType": None,
            },
        }
    )
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        statuses = [e["status"] for e in mock_tenant.control.journal(route="config_bundle")]
        if 200 in statuses:
            break
        time.sleep(0.1)
    assert statuses[:2] == [401, 200]


def test_read_with_refresh_token_rotates_and_logout_revokes(
    start: Start, server_argv: list[str], mock_tenant: MockTenant
) -> None:
    mock_tenant.control.script("approved", persona={"email": "r@example.com", "plan_type": "plus"})
    server = start(server_argv)
    server.call("account/login/start", DEVICE)
    server.notification("account/updated")
    auth = server.codex_home / "auth.json"
    before = json.loads(auth.read_text())["tokens"]
    read = server.call("account/read", {"refreshToken": True})["result"]
    assert read["account"]["email"] == "r@example.com"
    after = json.loads(auth.read_text())["tokens"]
    assert after["refresh_token"] != before["refresh_token"]
    grants = [e["body"].get("grant_type") for e in mock_tenant.control.journal(route="oauth_token")]
    assert grants == ["authorization_code", "refresh_token"]
    assert server.call("account/logout")["result"] == {}
    import time

    deadline = time.monotonic() + 5  # revocation may trail the answer
    while not (revoked := mock_tenant.control.journal(route="oauth_revoke")):
        assert time.monotonic() < deadline, "no revocation reached the backend"
        time.sleep(0.05)
    assert [e["body"] for e in revoked] == [
        {
            "token": after["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
        }
    ]


def test_config_overrides_on_the_command_line(mock_tenant: MockTenant, tmp_path: object) -> None:
    """``-c key=value`` does what a config.toml line does (here: the override mode)."""
    import sys
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    base = mock_tenant.ready.config_toml.split("=", 1)[1].strip()
    argv = [
        sys.executable,
        "-m",
        "reference_server",
        "app-server",
        "-c",
        f"chatgpt_base_url={base}",
    ]
    mock_tenant.control.script("approved", persona={"email": "c@example.com"})
    with AppServerProcess(argv, dict(mock_tenant.ready.override_env), tmp_path) as server:
        server.initialize()
        server.call("account/login/start", DEVICE)
        assert server.notification("account/login/completed")["params"]["success"] is True
    assert {e["via"] for e in mock_tenant.control.journal(route="accounts_check")} == {"direct"}
