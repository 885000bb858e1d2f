"""The 'done when' of the mock backend, as a new user does it: start
``python -m mock_backend serve``, give a real binary only the printed ``env``,
approve through ``POST {control}/device-codes/{code}/approve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_backend import ControlClient
from tests.support.app_server import AppServer
from tests.support.serve import serve_env, serving

pytestmark = pytest.mark.real_binary

NOT_ENABLED = (
    "device code login is not enabled for this Codex server. "
    "Use the browser login or verify the server URL."
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serving(serve_env(tmp_path_factory.mktemp("runtime"))) as running:
        yield running.ready


@pytest.mark.parametrize("version", ["0.163.0", "0.133.0"])
@pytest.mark.parametrize("outcome", ["approved", "denied", "policy_disabled"])
def test_printed_env_is_all_a_binary_needs(
    served: dict[str, Any], tmp_path: Path, version: str, outcome: str
) -> None:
    from conformance.releases import codex_binary

    control = ControlClient(served["control"])
    home = tmp_path / "home"
    home.mkdir()
    argv = [str(codex_binary(version)), "app-server"]
    with AppServer.stdio(argv, served["env"], home) as app:
        app.initialize()
        if outcome == "policy_disabled":
            control.script("policy_disabled", count=1)
            reply = app.call("account/login/start", {"type": "chatgptDeviceCode"})
            assert reply["error"]["message"] == NOT_ENABLED
            return
        started = app.call("account/login/start", {"type": "chatgptDeviceCode"})["result"]
        if outcome == "approved":
            control.approve(started["userCode"], email="new@example.com", plan_type="plus")
        else:
            control.deny(started["userCode"])
        completed = app.notification("account/login/completed")["params"]
        assert completed["success"] is (outcome == "approved")
        if outcome == "approved":
            # 0.133.0 may answer account/read before its auth reloads: wait for the update.
            assert app.notification("account/updated")["params"]["planType"] == "plus"
            account = app.call("account/read", {"refreshToken": False})["result"]["account"]
            assert account == {"type": "chatgpt", "email": "new@example.com", "planType": "plus"}
