"""Acceptance by a real client: the official Python SDK (``openai-codex`` from PyPI)
logs in through the reference server and the mock backend, reads the account and
logs out."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest
from openai_codex import Codex, CodexConfig

from mock_backend.tenant_handle import MockTenant


# The SDK (0.163.0) leaves its child's stderr pipe to the garbage collector on close;
# collect it here, inside this test, where that known leak is not our failure.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_sdk_logs_in_with_a_device_code(mock_tenant: MockTenant, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(mock_tenant.proxy_env())
    env["CODEX_HOME"] = str(tmp_path)
    config = CodexConfig(
        launch_args_override=(sys.executable, "-m", "reference_server", "app-server"),
        env=env,
        cwd=str(tmp_path),
    )
    with Codex(config) as codex:
        assert codex.metadata.userAgent.startswith("codex_python_sdk/")
        handle = codex.login_chatgpt_device_code()
        assert handle.user_code and handle.verification_url.endswith("/codex/device")
        mock_tenant.control.approve(handle.user_code, email="sdk@example.com", plan_type="plus")
        completed = handle.wait()
        assert completed.success is True
        account = codex.account().account
        assert account is not None
        assert account.root.email == "sdk@example.com"
        assert account.root.plan_type.value == "plus"
        codex.logout()
        assert codex.account().account is None
    gc.collect()
    assert not (tmp_path / "auth.json").exists()
