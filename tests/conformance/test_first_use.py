"""The kit as a new user meets it (issue #17): a server or backend that cannot be used is
one clear error that the report counts, judged once; the servers get an environment the
kit controls; the kit and the user's own tests run together; an empty selection fails."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from conformance.scenario import CATALOG
from tests.support.serve import serving

from .conftest import REFERENCE

CATALOG_SIZE = len(list(CATALOG.glob("*.yaml")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kit(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300, check=False, env=env,
    )  # fmt: skip


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def assert_one_error_counted(data: dict[str, Any], fault: str, *words: str) -> None:
    """One run error, and every selected scenario failed as not run because of it."""
    (error,) = data["errors"]
    assert error["fault"] == fault
    for word in words:
        assert word in error["message"], error["message"]
    summary = data["summary"]
    assert summary["errors"] == 1 and summary["failed"] == summary["total"] > 0
    assert data["verdict"] == "failed"
    assert {s["failures"][0]["message"].split(":")[0] for s in data["scenarios"]} == {"not run"}


def test_a_dead_mock_backend_control_url_is_one_environment_error(tmp_path: Path) -> None:
    """It printed tens of thousands of lines of urllib tracebacks, and a report of 0 of 0."""
    control = f"http://127.0.0.1:{free_port()}/_mock"
    proc = kit(
        "--app-server", shlex.join(REFERENCE), "--mock-backend-control", control,
        "--conformance-json", str(tmp_path / "report.json"),
        "--junitxml", str(tmp_path / "junit.xml"), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert len(output.splitlines()) < 40, output
    assert f"ERROR (environment fault): the mock backend at {control} does not answer" in output
    assert "mock-backend serve" in output
    data = report(tmp_path / "report.json")
    assert_one_error_counted(data, "environment", control)
    # A CI step reading pytest's summary or the JUnit file sees the failure too (it saw
    # "no tests ran" and a file of 0 tests).
    assert "1 failed" in proc.stdout.splitlines()[-1]
    suite = ElementTree.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")
    [case] = suite.iter("testcase")
    assert case.get("name") == "environment-error"
    failure = case.find("failure")
    assert failure is not None and control in (failure.text or "")
    assert f"{data['summary']['selected']} selected scenarios were not run" in (failure.text or "")


def counting_server(tmp_path: Path, behaviour: str) -> tuple[str, Path]:
    """A command that records each start in a file, then behaves as told."""
    starts = tmp_path / "starts"
    script = tmp_path / "server.py"
    script.write_text(
        f"import sys, time\nopen({str(starts)!r}, 'a').write('started\\n')\n{behaviour}\n"
    )
    return shlex.join([sys.executable, str(script)]), starts


def test_a_command_that_is_not_an_app_server_is_judged_once(tmp_path: Path) -> None:
    """It was started (and waited for) twice per scenario, in every worker: minutes."""
    command, starts = counting_server(tmp_path, "time.sleep(60)")
    proc = kit(
        "--app-server", command, "-n", "2", "--conformance-timeout", "1",
        "--conformance-json", str(tmp_path / "report.json"), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert starts.read_text().splitlines() == ["started"]
    assert "did not answer `initialize` within 1 s" in proc.stdout
    assert "The command has no `app-server` argument" in proc.stdout
    data = report(tmp_path / "report.json")
    assert_one_error_counted(data, "environment", "did not answer `initialize`", "server.py")
    assert data["summary"]["total"] == data["summary"]["selected"] >= 40


def test_a_server_that_dies_at_once_is_judged_once_with_its_stderr(tmp_path: Path) -> None:
    command, starts = counting_server(
        tmp_path, "print('fatal: no config', file=sys.stderr)\nsys.exit(3)"
    )
    proc = kit(
        "--app-server", command, "-k", "handshake or api-key",
        "--conformance-json", str(tmp_path / "report.json"), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert starts.read_text().splitlines() == ["started"]
    assert_one_error_counted(
        report(tmp_path / "report.json"), "environment", "exit code 3", "fatal: no config"
    )


def test_a_dead_app_server_url_is_one_error_at_once(tmp_path: Path) -> None:
    """Each scenario waited ~10 s to connect, after a probe that waited as long."""
    url = f"ws://127.0.0.1:{free_port()}"
    proc = kit(
        "--app-server-url", url, "-n", "2", "--conformance-json", str(tmp_path / "report.json"),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "Start the server first" in proc.stdout
    assert_one_error_counted(report(tmp_path / "report.json"), "environment", url)


def leaked_environment(tmp_path: Path) -> dict[str, str]:
    """What `mock-backend env --mode override` (and a proxy, a CA, a key) leave in a shell,
    pointing at a backend that is gone."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")
    with serving(env):
        exports = subprocess.run(
            [sys.executable, "-m", "mock_backend", "env", "--mode", "override"],
            capture_output=True, text=True, env=env, timeout=60, check=True,
        ).stdout  # fmt: skip
    leaked = dict(env)
    for line in exports.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            leaked[name] = shlex.split(value)[0]
    dead = f"http://127.0.0.1:{free_port()}"
    leaked.update(
        HTTPS_PROXY=dead, https_proxy=dead, ALL_PROXY=dead, CODEX_HOME=str(tmp_path / "mine"),
        OPENAI_BASE_URL=dead, OPENAI_API_KEY="sk-leaked", SSL_CERT_FILE=str(tmp_path / "no.pem"),
    )  # fmt: skip
    return leaked


def test_variables_left_in_the_shell_do_not_reach_the_servers(tmp_path: Path) -> None:
    """They redirected the servers the kit started: scenarios failed, blamed on the server."""
    env = leaked_environment(tmp_path)
    assert "CODEX_APP_SERVER_LOGIN_ISSUER" in env
    proc = kit(
        "--app-server", shlex.join(REFERENCE), "--app-server-attach", "proxy",
        "-k", "device-code-approved or api-key-login or logout-revokes-refresh-token",
        "--conformance-json", str(tmp_path / "report.json"), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = report(tmp_path / "report.json")
    assert {s["outcome"] for s in data["scenarios"]} == {"passed"}
    removed = set(data["server_environment"]["removed"])
    assert removed >= {
        "CODEX_APP_SERVER_LOGIN_ISSUER", "CODEX_REFRESH_TOKEN_URL_OVERRIDE", "HTTPS_PROXY",
        "https_proxy", "ALL_PROXY", "CODEX_HOME", "OPENAI_BASE_URL", "OPENAI_API_KEY",
        "SSL_CERT_FILE",
    }  # fmt: skip
    assert "CODEX_HOME" in data["server_environment"]["set"]
    assert "removed from the servers' environment: " in proc.stdout


def test_the_commands_a_server_runs_read_none_of_the_users_profile(tmp_path: Path) -> None:
    """A login shell (`bash -lc`) runs the model's commands: with the user's HOME it read
    their profile, and a profile that stalled (a version manager waiting on a stale lock:
    60 s a command) timed scenarios out."""
    mine = tmp_path / "my-home"
    mine.mkdir()
    marker = tmp_path / "profile-was-read"
    for profile in (".profile", ".bash_profile", ".bashrc"):
        (mine / profile).write_text(f"touch {shlex.quote(str(marker))}\n")
    env = {**os.environ, "HOME": str(mine)}
    proc = kit(
        "--app-server", shlex.join(REFERENCE), "-k", "approval-accept",
        "--conformance-json", str(tmp_path / "report.json"), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = report(tmp_path / "report.json")
    assert [s["outcome"] for s in data["scenarios"]] == ["passed"]
    assert "HOME" in data["server_environment"]["set"]
    assert not marker.exists()
    subprocess.run(["bash", "-lc", "true"], env=env, check=True, timeout=60)
    assert marker.exists()  # the profile does what the test says when it is read


def test_every_variable_the_mock_attaches_by_is_removed_from_what_servers_inherit(
    tmp_path: Path,
) -> None:
    from conformance.target import Target
    from mock_backend.endpoints import attach_variables
    from mock_backend.tenant_handle import MockTenant
    from mock_backend.thread_runner import BackendThread

    names = attach_variables()
    assert {"HTTPS_PROXY", "CODEX_CA_CERTIFICATE", "CODEX_APP_SERVER_LOGIN_ISSUER"} <= names
    mine = {name: "left over" for name in [*names, "SSL_CERT_DIR", "OPENAI_ORG", "CODEX_X"]}
    target = Target(argv=["server"], extra_env={"CODEX_X": "given"})
    with BackendThread() as backend:
        tenant = MockTenant.of(backend.tenant("env"))
        saved = dict(os.environ)
        os.environ.update(mine)
        try:
            env = target.environment(tenant, tmp_path)
            removed = target.removed_variables()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    assert not [name for name in mine if env.get(name) == "left over"]
    assert env["CODEX_X"] == "given" and "CODEX_X" not in removed
    assert set(mine) - {"CODEX_X"} <= set(removed)


def test_the_kit_and_your_own_tests_run_together(tmp_path: Path) -> None:
    """`pytest tests --app-server CMD` ran no scenario (and exited 0); without a path it
    ran the scenarios alone, dropping the project's tests."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mine.py").write_text("def test_mine():\n    assert True\n")
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--app-server",
            shlex.join(REFERENCE), "-k", "test_mine or handshake-required"]  # fmt: skip
    for paths in (["tests"], []):
        out = tmp_path / f"report{len(paths)}.json"
        proc = subprocess.run(
            [*base, *paths, "--conformance-json", str(out)],
            capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert "2 passed" in proc.stdout, proc.stdout[-2000:]
        assert [s["id"] for s in report(out)["scenarios"]] == ["handshake-required"]
    only = subprocess.run(
        [*base, "-m", "conformance"], capture_output=True, text=True, cwd=tmp_path,
        timeout=300, check=False,
    )  # fmt: skip
    assert "1 passed" in only.stdout, only.stdout[-2000:]


def test_an_empty_selection_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text("def test_mine():\n    assert True\n")
    for extra in ([], ["-n", "2"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_mine.py",
             "--app-server", shlex.join(REFERENCE), "-k", "test_mine", *extra],
            capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 4, proc.stdout[-3000:]
        assert f"no scenario is selected (of {CATALOG_SIZE} in the catalogs)" in proc.stderr
    cli = kit("--app-server", shlex.join(REFERENCE), "-k", "no-such-scenario", cwd=tmp_path)
    assert cli.returncode == 4 and "no scenario is selected" in cli.stderr


def test_an_empty_server_command_is_an_error(tmp_path: Path) -> None:
    """An unset variable: `--app-server ""` ran nothing (rc 5 or 0)."""
    for command in (
        [sys.executable, "-m", "conformance"],
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
    ):
        proc = subprocess.run(
            [*command, "--app-server", ""], capture_output=True, text=True, cwd=tmp_path,
            timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 4, proc.stdout + proc.stderr
        assert "--app-server is empty (an unset variable?" in proc.stderr
