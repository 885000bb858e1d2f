"""The plugin as users run it: ``python -m conformance --app-server CMD [pytest args]``,
in parallel, with the JSON, JUnit and Markdown reports; baselines and bad options."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.scenario import load_catalog
from conformance.versions import version_key

from .conftest import REFERENCE, RELAY


def conformance(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def by_id(report: Path) -> dict[str, dict[str, Any]]:
    """The JSON report's scenarios, by id."""
    return {s["id"]: s for s in json.loads(report.read_text())["scenarios"]}


def test_the_catalog_against_the_reference_server_in_parallel_with_every_report(
    tmp_path: Path,
) -> None:
    proc = conformance(
        "--app-server",
        shlex.join(REFERENCE),
        "--conformance-baseline",
        "none",  # it reports 0.163.0 without 0.163.0's deviations
        "-n",
        "2",
        "--conformance-json",
        str(tmp_path / "report.json"),
        "--conformance-markdown",
        str(tmp_path / "summary.md"),
        f"--junitxml={tmp_path / 'junit.xml'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "app-server conformance" in proc.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    scenarios = report["scenarios"]
    assert len(scenarios) >= 30
    # The reference server reports 0.163.0: what later releases added does not apply to it.
    later = {
        scenario.id
        for scenario in load_catalog()
        if scenario.requires.min_version
        and version_key(scenario.requires.min_version) > version_key("0.163.0")
    }
    assert later, "the catalog has scenarios for releases after 0.163.0"
    assert {s["id"] for s in scenarios if s["outcome"] != "passed"} == later
    assert all(by["outcome"] == "skipped" for by in scenarios if by["id"] in later)
    assert set(scenarios[0]) >= {"id", "outcome", "duration", "failures"}
    assert report["summary"]["passed"] == len(scenarios) - len(later)
    assert report["server_version"] == "0.163.0"
    assert (report["schema"], report["schema_reason"]) == (
        "codex-0.163.0",
        "the server reports 0.163.0",
    )
    gaps = {(g["method"], g["path"], g["type"]) for g in report["schema_gaps"]}
    assert ("account/read", "$.result.workspaceRouting", "GetAccountResponse") in gaps
    assert "schema: codex-0.163.0 (the server reports 0.163.0)" in proc.stdout
    assert "schema gaps of codex-0.163.0" in proc.stdout
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert int(junit.find("testsuite").get("tests")) == len(scenarios)  # type: ignore[union-attr]
    markdown = (tmp_path / "summary.md").read_text()
    assert markdown.startswith("## App-server conformance: ✅ passed")
    assert (
        "| `device-code-approved` | Device-code login, approved at the first poll | passed |"
        in (markdown)
    )


def judge_fake_success(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Two scenarios against a relay that reports every login as a success."""
    broken = [sys.executable, str(RELAY), "fake-success", "--", *REFERENCE]
    return conformance(
        "--app-server",
        shlex.join(broken),
        "-k",
        "device-code-denied or handshake-required",
        "--conformance-json",
        str(tmp_path / "report.json"),
        *extra,
        cwd=tmp_path,
    )


def test_a_broken_server_fails_the_run_and_the_report_says_why(tmp_path: Path) -> None:
    proc = judge_fake_success(tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    outcomes = by_id(tmp_path / "report.json")
    assert outcomes["handshake-required"]["outcome"] == "passed"
    denied = outcomes["device-code-denied"]
    assert denied["outcome"] == "failed"
    assert denied["failures"][0]["fault"] == "server"
    assert "$.success: expected false, got true" in denied["failures"][0]["message"]
    assert any('"method": "account/login/completed"' in line for line in denied["transcript"])
    assert outcomes["handshake-required"]["transcript"] == []
    assert "FAILED  device-code-denied (Device-code login denied): server/mismatch" in proc.stdout
    assert "failures by fault: server 1" in proc.stdout


def test_baseline_entries_turn_failures_into_xfails_and_go_stale_when_fixed(
    tmp_path: Path,
) -> None:
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        "server: a broken relay\n"
        "entries:\n"
        "  - scenario: device-code-denied\n"
        "    reason: the relay reports every login as a success\n"
        "  - scenario: handshake-required\n"
        "    reason: pretend the handshake was broken once\n"
    )
    proc = judge_fake_success(tmp_path, "--conformance-baseline", str(baseline))
    assert proc.returncode == 1, proc.stdout[-3000:]
    outcomes = by_id(tmp_path / "report.json")
    assert outcomes["device-code-denied"]["outcome"] == "xfailed"
    assert outcomes["device-code-denied"]["reason"] == "the relay reports every login as a success"
    stale = outcomes["handshake-required"]
    assert stale["outcome"] == "failed"
    assert stale["failures"][0]["kind"] == "stale"
    assert "remove the entry" in stale["failures"][0]["message"]


def test_usage_errors_are_clear(tmp_path: Path) -> None:
    nothing = conformance(cwd=tmp_path)
    assert nothing.returncode == 2 and "usage: python -m conformance --app-server" in nothing.stderr
    missing = conformance("--app-server", "no-such-codex app-server", cwd=tmp_path)
    assert missing.returncode == 4
    assert "'no-such-codex' is not on PATH" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "server: x\nentries:\n  - scenario: no-such-scenario\n    reason: not real at all\n"
    )
    unknown = conformance(
        "--app-server", shlex.join(REFERENCE), "--conformance-baseline", str(bad), cwd=tmp_path
    )
    assert unknown.returncode == 4
    assert "lists scenarios that do not exist: no-such-scenario" in unknown.stderr


def test_user_scenarios_from_another_folder_are_collected_and_checked(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my-read.yaml").write_text(
        "title: my read\nsteps:\n  - request: account/read\n    params: {}\n"
        "    expect: {account: null}\n"
    )
    args = ("--app-server", shlex.join(REFERENCE), "--conformance-catalog", str(mine), str(mine))
    proc = conformance(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "1 passed" in proc.stdout
    (mine / "typo.yaml").write_text(
        "title: typo\nsteps:\n  - request: account/read\n    expect: {account: $nul}\n"
    )
    proc = conformance(*args, cwd=tmp_path)
    assert proc.returncode != 0
    assert "typo.yaml: step 1 (request): expect: Value error, unknown matcher '$nul'" in proc.stdout


def test_a_running_websocket_server_is_judged_on_what_applies(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = tmp_path / "home"
    home.mkdir()
    server = subprocess.Popen(
        [*REFERENCE, "--listen", f"ws://127.0.0.1:{port}"],
        env={**__import__("os").environ, "CODEX_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc = conformance(
            "--app-server-url",
            f"ws://127.0.0.1:{port}",
            "-k",
            "handshake or unknown-method or invalid-params or device-code-approved "
            "or api-key-login",
            "--conformance-json",
            str(tmp_path / "report.json"),
            cwd=tmp_path,
        )
    finally:
        server.terminate()
        server.wait(10)
    assert proc.returncode == 0, proc.stdout[-3000:]
    outcomes = by_id(tmp_path / "report.json")
    for passed in ("handshake-required", "unknown-method", "invalid-params"):
        assert outcomes[passed]["outcome"] == "passed", outcomes[passed]
    assert outcomes["device-code-approved"]["outcome"] == "skipped"
    assert "not attached to the kit's backend" in outcomes["device-code-approved"]["reason"]
    assert outcomes["api-key-login"]["outcome"] == "skipped"
    assert "fresh CODEX_HOME" in outcomes["api-key-login"]["reason"]


def test_the_servers_own_schema_or_a_folder_overrides_the_vendored_bundle(
    tmp_path: Path,
) -> None:
    from conformance.releases import codex_binary

    codex = [str(codex_binary("0.163.0")), "app-server"]
    args = ("--conformance-own-schema", "-k", "handshake-required or rate-limits-chatgpt")
    report = tmp_path / "own.json"
    proc = conformance(
        "--app-server", shlex.join(codex), *args, "--conformance-json", str(report), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 passed" in proc.stdout
    own = json.loads(report.read_text())
    assert own["schema"] == f"{shlex.join(codex)} generate-json-schema"
    assert own["schema_reason"] == "--conformance-own-schema: the server's own schema"
    broken = [sys.executable, str(RELAY), "wrong-type", "--", *REFERENCE]
    proc = conformance(
        "--app-server",
        shlex.join(broken),
        "--conformance-own-schema",
        "-k",
        "api-key-login",
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "at $.params.planType" in proc.stdout
    assert "generate-json-schema (--conformance-own-schema: the server's own schema)" in (
        proc.stdout
    )
    folder = Path(__file__).resolve().parents[2] / "schema" / "codex" / "0.171.0"
    proc = conformance(
        "--app-server", shlex.join(REFERENCE), "--conformance-schema", str(folder),
        "-k", "account-read-logged-out", "--conformance-json", str(report), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    given = json.loads(report.read_text())
    assert (given["schema"], given["schema_reason"]) == (str(folder), "--conformance-schema")
    bad = conformance(
        "--app-server", shlex.join(REFERENCE), "--conformance-schema", str(tmp_path), cwd=tmp_path
    )
    assert bad.returncode == 4
    assert f"{tmp_path}: not a schema bundle" in bad.stderr


def test_strict_fields_fails_what_the_bundle_does_not_declare(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = conformance(
        "--app-server", shlex.join(REFERENCE), "--conformance-strict-fields",
        "-k", "account-read-logged-out", "--conformance-json", str(report), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    (failed,) = json.loads(report.read_text())["scenarios"]
    messages = [f["message"] for f in failed["failures"]]
    assert any("at $.result.workspaceRouting: `workspaceRouting` is not declared" in m
               for m in messages), messages  # fmt: skip


def test_the_plugin_in_a_users_own_pytest_run(tmp_path: Path) -> None:
    """`pytest --app-server CMD` in a project with no scenarios: the packaged catalog runs."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--app-server",
         shlex.join(REFERENCE), "-k", "handshake-required or unknown-method"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout
    assert "app-server conformance" in proc.stdout


def test_no_server_process_survives_a_parallel_run(tmp_path: Path) -> None:
    """Even servers that ignore SIGTERM are gone when `python -m conformance -n 2` returns."""
    import os

    from .test_process_hygiene import alive

    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    stubborn = [sys.executable, str(RELAY), "ignore-sigterm", "--", *REFERENCE]
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "--app-server", shlex.join(stubborn), "-n", "2",
         "-k", "handshake or unknown-method or logout-signed-out or malformed"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={**os.environ, "RELAY_PID_DIR": str(pid_dir)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    pids = [int(p) for f in pid_dir.glob("*.pids") for p in f.read_text().split()]
    assert len(pids) >= 8  # four scenarios and two probes, a relay and a server each
    assert [pid for pid in pids if alive(pid)] == []


def test_a_running_mock_backend_can_stand_in_for_the_in_process_one(tmp_path: Path) -> None:
    serve = subprocess.Popen(
        [sys.executable, "-m", "mock_backend", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert serve.stdout is not None
        control = json.loads(serve.stdout.readline())["control"]
        proc = conformance(
            "--app-server", shlex.join(REFERENCE), "--mock-backend-control", control,
            "-k", "device-code-approved or api-key-login", cwd=tmp_path,
        )  # fmt: skip
    finally:
        serve.terminate()
        serve.wait(10)
        if serve.stdout is not None:
            serve.stdout.close()
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "5 passed" in proc.stdout


def test_a_server_without_a_version_is_judged_by_the_newest_bundle_with_a_warning(
    tmp_path: Path,
) -> None:
    from conformance.bundles import versions

    no_version = [sys.executable, str(RELAY), "no-version", "--", *REFERENCE]
    report = tmp_path / "report.json"
    proc = conformance(
        "--app-server", shlex.join(no_version), "-k", "account-read-logged-out",
        "--conformance-json", str(report), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = json.loads(report.read_text())
    newest = versions()[-1]
    assert data["schema"] == f"codex-{newest}"
    assert data["warnings"] == [
        f"the server reports no parseable version; judged by the newest vendored release, {newest}"
    ]
    assert "warning: the server reports no parseable version" in proc.stdout
