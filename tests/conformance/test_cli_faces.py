"""What a user reads: versions, help, the scenario list, tags as markers, titles, the HTML
report in a real browser, and the small messages (a directory, a missing `app-server`)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium

from .conftest import REFERENCE, RELAY

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLIS = ("codex-conformance", "mock-backend", "reference-app-server", "app-server-compat")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}  # pytest's summary lines are cut to the width
    return subprocess.run(
        args, capture_output=True, text=True, cwd=cwd, timeout=300, check=False, env=env
    )


def test_every_cli_has_a_version_and_it_is_the_kits() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for cli in [*([str(BIN / name)] for name in CLIS), [str(BIN / "codex-conformance"), "matrix"]]:
        proc = run(*cli, "--version")
        assert proc.returncode == 0, (cli, proc.stderr)
        assert f"(codex-app-server-kit) {version}" in proc.stdout, (cli, proc.stdout)


def test_help_leads_with_the_kits_options() -> None:
    """It was 493 lines of pytest's help headed `usage: pytest.main()`."""
    proc = run(str(BIN / "codex-conformance"), "--help")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("usage: codex-conformance --app-server CMD")
    assert "pytest.main()" not in proc.stdout
    assert len(lines) < 120
    assert proc.stdout.index("--app-server CMD") < proc.stdout.index("--conformance-json")
    assert "capabilities (--app-server-lacks): api-key-login" in proc.stdout
    assert "--help-pytest" in proc.stdout
    pytest_help = run(str(BIN / "codex-conformance"), "--help-pytest")
    assert pytest_help.returncode == 0 and "--junit-xml" in pytest_help.stdout


def test_list_shows_id_title_and_tags_without_a_server(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "my-read.yaml").write_text(
        "title: My read\ntags: [mine]\nsteps:\n  - request: account/read\n    params: {}\n"
    )
    proc = run(
        str(BIN / "codex-conformance"), "--list", "--conformance-catalog", "mine", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()}
    assert len(rows) == len(list((ROOT / "conformance" / "catalog").glob("*.yaml"))) + 1
    assert "Device-code login denied" in rows["device-code-denied"]
    assert "[device-code, login]" in rows["device-code-denied"]
    assert rows["my-read"].endswith("My read  [mine]  (mine/my-read.yaml)")


def test_tags_are_markers_registered_for_strict_markers(tmp_path: Path) -> None:
    """`-m device-code` deselected everything: tags were no markers."""
    out = tmp_path / "report.json"
    proc = run(
        sys.executable, "-m", "conformance", "--app-server", shlex.join(REFERENCE),
        "--conformance-baseline", "none",  # it reports 0.163.0 without 0.163.0's deviations
        "--strict-markers", "-m", "device-code and not slow and not cancel",
        "--conformance-json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    ran = json.loads(out.read_text())["scenarios"]
    assert len(ran) >= 8
    catalog = ROOT / "conformance" / "catalog"
    for scenario in ran:
        assert "device-code" in (catalog / f"{scenario['id']}.yaml").read_text()


def test_a_failure_shows_its_title_and_step_on_the_console(tmp_path: Path) -> None:
    broken = [sys.executable, str(RELAY), "fake-success", "--", *REFERENCE]
    proc = run(
        sys.executable, "-m", "conformance", "--app-server", shlex.join(broken),
        "-k", "device-code-denied", "--conformance-markdown", str(tmp_path / "r.md"),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "FAILED  device-code-denied (Device-code login denied): server/mismatch" in proc.stdout
    assert "[step 2 notification account/login/completed]" in proc.stdout
    assert "- Device-code login denied: server/mismatch" in proc.stdout  # pytest's summary
    markdown = (tmp_path / "r.md").read_text()
    assert "| `device-code-denied` | Device-code login denied | failed |" in markdown
    assert "kit 0." in markdown.splitlines()[2]


def test_small_messages_say_what_is_wrong(tmp_path: Path) -> None:
    folder = run(sys.executable, "-m", "conformance", "--app-server", str(tmp_path), cwd=tmp_path)
    assert folder.returncode == 4
    assert f"{tmp_path} is a directory, not a program" in folder.stderr
    baseline = run(
        sys.executable, "-m", "conformance", "--app-server", shlex.join(REFERENCE),
        "--conformance-baseline", "codex-0.170.0", cwd=tmp_path,
    )  # fmt: skip
    assert baseline.returncode == 4
    assert "codex-0.170.0: no such file, nor a packaged baseline (codex-0.133.0, " in (
        baseline.stderr
    )


def test_a_codex_binary_without_app_server_gets_a_hint(tmp_path: Path) -> None:
    from conformance.releases import codex_binary

    proc = run(
        sys.executable, "-m", "conformance", "--app-server", str(codex_binary("0.163.0")),
        "-k", "handshake-required", "--conformance-timeout", "5", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "The command has no `app-server` argument" in proc.stdout
    assert '--app-server "$CODEX app-server"' in proc.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.mark.browser
def test_the_html_report_is_self_contained_and_readable(tmp_path: Path, browser: Any) -> None:
    broken = [sys.executable, str(RELAY), "fake-success", "--", *REFERENCE]
    page_file = tmp_path / "report.html"
    proc = run(
        sys.executable, "-m", "conformance", "--app-server", shlex.join(broken),
        "-k", "device-code-denied or handshake-required", "--conformance-html", str(page_file),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-3000:]
    context = browser.new_context(proxy=None)
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(page_file.as_uri())
        assert fetched == [page_file.as_uri()]  # nothing else: no styles, scripts, fonts
        assert page.title() == "App-server conformance: failed"
        assert page.locator("h1").inner_text() == "App-server conformance: failed"
        row = page.locator("tr#device-code-denied")
        assert row.locator("td").nth(1).inner_text() == "Device-code login denied"
        assert row.locator("td").nth(2).inner_text() == "failed"
        transcript = row.locator("details pre").last
        assert not transcript.is_visible()
        row.locator("summary").click()
        assert transcript.is_visible()
        assert "account/login/completed" in transcript.inner_text()
        passed = page.locator("tr#handshake-required td").nth(2)
        assert passed.inner_text() == "passed"
        assert passed.evaluate("e => getComputedStyle(e).color") == "rgb(26, 127, 55)"
        page.screenshot(path=str(ROOT / "artifacts" / "conformance-report.png"), full_page=True)
    finally:
        context.close()


def test_progress_lines_fit_an_80_column_log(tmp_path: Path) -> None:
    """Scenario files showed as long relative paths into site-packages (or the checkout),
    and every progress line wrapped in an 80-column CI log."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "my-read.yaml").write_text(
        "title: My read\nsteps:\n  - request: account/read\n    params: {}\n"
    )
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--app-server",
         shlex.join(REFERENCE), "--conformance-catalog", "mine", "-m", "conformance",
         "-k", "chatgpt-auth-tokens-needs-experimental-api or my-read"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    progress = sorted(line[:73].rstrip() for line in proc.stdout.splitlines() if "%]" in line)
    assert progress == [
        "catalog/chatgpt-auth-tokens-needs-experimental-api.yaml .",
        "mine/my-read.yaml .",
    ]
