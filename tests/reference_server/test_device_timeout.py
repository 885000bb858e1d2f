"""The device-code login gives up after 15 minutes, on an injectable clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reference_server.backend_client import BackendReply
from reference_server.errors import LoginFailed
from reference_server.login.device_code import DeviceCode, complete_device_login
from reference_server.settings import Settings


class AlwaysPending:
    def __init__(self) -> None:
        self.polls = 0

    async def request(self, method: str, url: str, **kwargs: Any) -> BackendReply:
        self.polls += 1
        return BackendReply(403, {"error": "authorization_pending"}, "")


async def test_fifteen_minutes_of_pending_end_the_login(tmp_path: Path) -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 301.0  # five minutes pass between two looks at the clock
        return now[0]

    settings = Settings(
        codex_home=tmp_path,
        issuer="http://127.0.0.1:9",
        chatgpt_base_url="http://127.0.0.1:9/backend-api/",
        client_id="app_test",
        ca_certificate=None,
        refresh_url="",
        revoke_url="",
    )
    backend = AlwaysPending()
    code = DeviceCode("deviceauth_x", "BCDF-GHJK", 0.0, "http://127.0.0.1:9/codex/device")
    with pytest.raises(LoginFailed, match="device auth timed out after 15 minutes"):
        await complete_device_login(backend, settings, code, clock=clock)  # type: ignore[arg-type]
    assert backend.polls == 3
