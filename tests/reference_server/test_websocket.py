"""The same protocol over a websocket (``--listen ws://127.0.0.1:PORT``)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from mock_backend.tenant_handle import MockTenant


@pytest.fixture
def ws_server(mock_tenant: MockTenant, tmp_path: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(mock_tenant.proxy_env())
    env["CODEX_HOME"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reference_server", "app-server", "--listen", "ws://127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        match = re.search(r"listening on (ws://\S+)", proc.stderr.readline())
        assert match, "the server did not print its address"
        yield match.group(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


async def test_device_login_over_a_websocket(ws_server: str, mock_tenant: MockTenant) -> None:
    mock_tenant.control.script("approved", persona={"email": "ws@example.com", "plan_type": "pro"})
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_server) as ws:

        async def call(message: dict) -> dict:  # type: ignore[type-arg]
            await ws.send_str(json.dumps(message))
            while True:
                reply = json.loads((await ws.receive(timeout=20)).data)
                if reply.get("id") == message["id"]:
                    return reply  # type: ignore[no-any-return]

        init = await call(
            {
                "id": 1,
                "method": "initialize",
                "params": {"clientInfo": {"name": "ws", "version": "1"}},
            }
        )
        assert init["result"]["userAgent"].startswith("ws/")
        start = await call(
            {"id": 2, "method": "account/login/start", "params": {"type": "chatgptDeviceCode"}}
        )
        assert start["result"]["type"] == "chatgptDeviceCode"
        methods = []
        while "account/updated" not in methods:
            methods.append(json.loads((await ws.receive(timeout=20)).data).get("method"))
        assert methods[-2:] == ["account/login/completed", "account/updated"]
        read = await call({"id": 3, "method": "account/read", "params": {}})
        assert read["result"]["account"]["email"] == "ws@example.com"


def test_non_loopback_listen_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reference_server", "app-server", "--listen", "ws://0.0.0.0:0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "loopback addresses only" in result.stderr
