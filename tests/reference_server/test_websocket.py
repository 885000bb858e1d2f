"""The same protocol over a websocket (``--listen ws://127.0.0.1:PORT``)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import TIMEOUT, AppServer
from tests.support.conversation import run_turn, sign_in, start_thread

from .conftest import REFERENCE
from .raw_server import RawServer, dead_backend


def test_device_login_over_a_websocket(mock_tenant: MockTenant, tmp_path: Path) -> None:
    mock_tenant.control.script("approved", persona={"email": "ws@example.com", "plan_type": "pro"})
    with AppServer.websocket(REFERENCE, mock_tenant.proxy_env(), tmp_path) as server:
        assert server.initialize()["result"]["userAgent"].startswith("kit-tests/")
        start = server.call("account/login/start", {"type": "chatgptDeviceCode"})
        assert start["result"]["type"] == "chatgptDeviceCode"
        completed = server.notification("account/login/completed")["params"]
        assert (completed["loginId"], completed["success"]) == (start["result"]["loginId"], True)
        assert server.notification("account/updated")["params"]["authMode"] == "chatgpt"
        read = server.call("account/read", {})
        assert read["result"]["account"]["email"] == "ws@example.com"
        assert server.session.all_problems() == []


def test_a_turn_over_a_websocket(
    mock_tenant: MockTenant, mock_model: MockModel, tmp_path: Path
) -> None:
    sign_in(tmp_path, mock_tenant)
    mock_model.respond({"text": "over the socket", "stream": True})
    with AppServer.websocket(REFERENCE, mock_tenant.proxy_env(), tmp_path) as server:
        server.initialize()
        thread_id = start_thread(server, tmp_path)["thread"]["id"]
        turn = run_turn(server, thread_id, "hello")
        assert [d["delta"] for d in turn.notifications("item/agentMessage/delta")] == [
            "over ",
            "the ",
            "socket",
        ]
        assert turn.result["status"] == "completed"


def test_non_loopback_listen_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reference_server", "app-server", "--listen", "ws://0.0.0.0:0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "loopback addresses only" in result.stderr


async def _upgrade_status(url: str, origin: str) -> int:
    async with aiohttp.ClientSession() as client:
        try:
            async with client.ws_connect(url, headers={"Origin": origin}) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("https://evil.example", 403),
        ("http://127.0.0.1.evil.example", 403),
        ("null", 403),
        ("http://localhost:5173", 101),
        ("http://127.0.0.1:8080", 101),
        ("http://[::1]:3000", 101),
    ],
)
def test_a_browser_page_must_be_served_from_loopback(
    mock_tenant: MockTenant, tmp_path: Path, origin: str, status: int
) -> None:
    """A web page could otherwise sign the server in with its own key from any site."""
    with AppServer.websocket(REFERENCE, mock_tenant.proxy_env(), tmp_path) as server:
        assert server.url is not None
        assert asyncio.run(_upgrade_status(server.url, origin)) == status
        assert server.initialize()["result"]["userAgent"].startswith("kit-tests/")


#: Starts the rest of the command line with SIGINT ignored, as a shell without job control
#: starts a background job (``cmd &`` in a script, a CI step's helper).
CTRL_C_IGNORED = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execvp(sys.argv[1], sys.argv[1:])",
]


@pytest.mark.real_binary
@pytest.mark.parametrize(
    ("sig", "started"),
    [
        pytest.param(signal.SIGINT, "plainly", id="ctrl-c"),
        pytest.param(signal.SIGINT, "in-a-background-job", id="ctrl-c-in-a-background-job"),
        pytest.param(signal.SIGTERM, "plainly", id="sigterm"),
    ],
)
def test_a_listener_ends_with_status_0_on_ctrl_c_and_sigterm(
    server_argv: list[str],
    mock_tenant: MockTenant,
    tmp_path: Path,
    sig: signal.Signals,
    started: str,
) -> None:
    """Both servers end a listener with a client still connected, on either signal, with
    status 0; Ctrl-C even when the listener was started with SIGINT ignored. Ours kept
    waiting in both cases: aiohttp waits a minute for open websockets' handlers, and Python
    leaves an inherited SIG_IGN alone (the fuzz test's Ctrl-C failed in background jobs)."""
    argv = [*CTRL_C_IGNORED, *server_argv] if started == "in-a-background-job" else server_argv
    with AppServer.websocket(argv, mock_tenant.proxy_env(), tmp_path) as server:
        assert "result" in server.initialize()
        server.process.proc.send_signal(sig)
        assert server.process.proc.wait(TIMEOUT) == 0, server.process.stderr_tail()


async def test_a_stopping_listener_closes_its_websockets_with_1001(tmp_path: Path) -> None:
    """The deviation in docs/DEVIATIONS.md: a close frame saying why, where 0.163.0 drops
    the connection."""
    with dead_backend() as (env, overrides):
        server = RawServer([*REFERENCE, *overrides, "--listen", "ws://127.0.0.1:0"], env, tmp_path)
        try:
            url = await asyncio.to_thread(server.listening)
            async with aiohttp.ClientSession() as client, client.ws_connect(url) as ws:
                server.proc.send_signal(signal.SIGTERM)
                closing = await ws.receive(timeout=TIMEOUT)
                assert closing.type is aiohttp.WSMsgType.CLOSE, closing
                assert (closing.data, closing.extra) == (1001, "server shutting down")
            assert await asyncio.to_thread(server.proc.wait, TIMEOUT) == 0, server.stderr_tail()
        finally:
            server.kill()
