"""Acceptance by a real client: the official Python SDK (``openai-codex`` from PyPI)
logs in through the reference server and the mock backend, reads the account and logs
out; and it runs a turn against the mock's scripted model."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

import pytest
from openai_codex import Codex, CodexConfig

from mock_backend.model_handle import MockModel
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


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_sdk_runs_a_turn(
    mock_tenant: MockTenant, mock_model: MockModel, tmp_path: Path
) -> None:
    """Sign in, ``thread_start``, then ``run``: the scripted answer comes back."""
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(mock_tenant.proxy_env())
    env["CODEX_HOME"] = str(tmp_path)
    mock_model.settings(websocket="426")
    mock_model.respond(
        {"text": "Hello from the scripted model.", "stream": True, "usage": {"input_tokens": 9}}
    )
    config = CodexConfig(
        launch_args_override=(sys.executable, "-m", "reference_server", "app-server"),
        env=env,
        cwd=str(tmp_path),
    )
    with Codex(config) as codex:
        handle = codex.login_chatgpt_device_code()
        mock_tenant.control.approve(handle.user_code, email="sdk@example.com", plan_type="pro")
        assert handle.wait().success is True
        thread = codex.thread_start(cwd=str(tmp_path))
        result = thread.run("Say hello")
        assert result.status.value == "completed"
        assert result.final_response == "Hello from the scripted model."
        assert result.usage is not None and result.usage.last.input_tokens == 9
    gc.collect()
    [request] = mock_model.requests()
    assert request["auth"]["bearer"] == "live"
    assert "Say hello" in json.dumps(request["input"])
