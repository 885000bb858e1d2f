"""``python -m mock_backend``: the ready line, env, errors, clean shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import http
from tests.support.serve import Served, serve_env, serving, start, stop

READY_KEYS = {
    "issuer",
    "chatgpt_base_url",
    "control",
    "proxy",
    "ca_cert",
    "verification_page",
    "env",
    "config_toml",
}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("scripts:\n  - outcome: denied\n")
    with serving(serve_env(tmp_path), "--scenario", str(scenario)) as running:
        yield running


def test_serve_prints_one_ready_line_with_the_contract_keys(served: Served) -> None:
    ready = served.ready
    assert set(ready) >= READY_KEYS
    assert ready["control"].endswith("/_mock")
    assert ready["issuer"].startswith("http://127.0.0.1:")
    assert Path(ready["ca_cert"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert ready["env"]["HTTPS_PROXY"] == ready["proxy"]
    assert ready["env"]["CODEX_CA_CERTIFICATE"] == ready["ca_cert"]
    assert ready["config_toml"].startswith("chatgpt_base_url = ")
    assert http.get(ready["verification_page"]).status == 200
    # The scenario file scripted the first code.
    code = http.post(
        ready["issuer"] + "/api/accounts/deviceauth/usercode",
        json_body={"client_id": "app_EMoamEEZ73f0CkXaXp7hrann"},
    ).json
    poll = http.post(
        ready["issuer"] + "/api/accounts/deviceauth/token",
        json_body={"device_auth_id": code["device_auth_id"], "user_code": code["user_code"]},
    )
    assert poll.json["error"] == "access_denied"


def test_env_prints_export_lines_for_the_running_backend(served: Served, tmp_path: Path) -> None:
    ready = served.ready
    out = subprocess.run(
        [sys.executable, "-m", "mock_backend", "env"],
        capture_output=True,
        text=True,
        env=serve_env(tmp_path),
        check=True,
    ).stdout
    assert f"export HTTPS_PROXY={ready['proxy']}" in out.splitlines()
    assert any(line.startswith("export CODEX_CA_CERTIFICATE=") for line in out.splitlines())
    override = subprocess.run(
        [sys.executable, "-m", "mock_backend", "env", "--mode", "override", "--tenant", "cli"],
        capture_output=True,
        text=True,
        env=serve_env(tmp_path),
        check=True,
    ).stdout
    assert f"export CODEX_APP_SERVER_LOGIN_ISSUER={ready['issuer']}/t/cli" in override
    assert "#   chatgpt_base_url = " in override


def test_sigterm_stops_serve_cleanly(served: Served, tmp_path: Path) -> None:
    proc, ready = served.proc, served.ready
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(ready["control"], timeout=2)
    assert list((tmp_path / "codex-app-server-kit" / "mock-backends").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--host", "0.0.0.0"], "loopback only"),
        (["serve", "--host", "example.com"], "must be a loopback address"),
        (["serve", "--scenario", "/nonexistent.yaml"], "cannot read scenario file"),
        (["env", "--control", "http://127.0.0.1:9/_mock"], "no backend answers"),
    ],
)
def test_bad_usage_exits_2_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_backend", *args],
        capture_output=True,
        text=True,
        env=serve_env(tmp_path),
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_env_without_a_running_backend_says_how_to_start_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_backend", "env"],
        capture_output=True,
        text=True,
        env=serve_env(tmp_path),
        timeout=30,
    )
    assert result.returncode == 2
    assert "python -m mock_backend serve" in result.stderr


def test_help_shows_examples() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_backend", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "examples:" in result.stdout
    assert "--scenario" in result.stdout


def test_serve_takes_the_limits_of_docs_security() -> None:
    from mock_backend.cli import _config, _parser

    args = _parser().parse_args(["serve", "--max-tenants", "5", "--body-timeout", "2.5"])
    config = _config(args)
    assert (config.max_tenants, config.body_timeout) == (5, 2.5)
    defaults = _config(_parser().parse_args(["serve"]))
    assert (defaults.max_tenants, defaults.body_timeout) == (256, 10.0)


def _env_of(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_backend", "env"],
        capture_output=True, text=True, env=serve_env(tmp_path), timeout=30, check=False,
    )  # fmt: skip


def test_env_finds_a_backend_that_still_runs_when_another_stops(tmp_path: Path) -> None:
    """One marker per backend: a second `serve` stopping does not hide the first (with one
    shared marker file, `env` said "no running backend found" here)."""
    with serving(serve_env(tmp_path)) as first:
        first_ready = first.ready
        with serving(serve_env(tmp_path)) as second:
            second_ready = second.ready
            both = _env_of(tmp_path)
        after = _env_of(tmp_path)
    assert both.returncode == 0
    assert f"export HTTPS_PROXY={second_ready['proxy']}" in both.stdout.splitlines()
    assert "2 backends run; this is the newest" in both.stderr
    assert first_ready["control"] in both.stderr
    assert after.returncode == 0, after.stderr
    assert f"export HTTPS_PROXY={first_ready['proxy']}" in after.stdout.splitlines()
    assert after.stderr == ""
    gone = _env_of(tmp_path)
    assert gone.returncode == 2 and "no running backend found" in gone.stderr


def test_a_marker_left_by_a_killed_backend_is_ignored_and_removed(tmp_path: Path) -> None:
    served = start(serve_env(tmp_path))
    proc = served.proc
    proc.kill()  # no chance to remove its marker
    proc.wait(10)
    stop(served)  # closes its pipe
    markers = tmp_path / "codex-app-server-kit" / "mock-backends"
    assert [p.name for p in markers.iterdir()] == [f"{proc.pid}.json"]
    result = _env_of(tmp_path)
    assert result.returncode == 2 and "no running backend found" in result.stderr
    assert list(markers.iterdir()) == []


def test_a_serve_that_does_not_start_is_an_error_with_its_stderr(tmp_path: Path) -> None:
    """The helper the serve tests start it with: no ready line is no hang and no bare
    JSON error, but what serve said."""
    with pytest.raises(AssertionError, match=r"no ready line.*loopback only"):
        start(serve_env(tmp_path), "--host", "0.0.0.0")
