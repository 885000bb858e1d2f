"""The matrix over fake releases (nothing downloaded): good ones fill their columns, and
each way a release can be bad (published nowhere, a download cut off, a binary that does
not start, a binary of another version) is an environment fault in its own column while
the others still run."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conformance import releases
from conformance.matrix.catalog_run import RunSettings
from conformance.matrix.outputs import write_outputs
from conformance.matrix.record import Matrix
from conformance.matrix.run import run_matrix

from .matrix_fakes import QUICK, fake_release


def truncated_npm(bin_dir: Path) -> None:
    """An ``npm`` whose ``pack`` leaves a tarball cut off half-way, as a dropped download."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = b"x" * 200_000
        info = tarfile.TarInfo("package/vendor/x86_64-unknown-linux-musl/bin/codex")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    whole = gzip.compress(buffer.getvalue())
    cut = bin_dir / "cut.tgz"
    cut.write_bytes(whole[: len(whole) // 2])
    npm = bin_dir / "npm"
    npm.write_text(f'#!/bin/sh\ncp {cut} "codex-$(date +%s)-linux-x64.tgz"\n')
    npm.chmod(0o755)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("CODEX_KIT_CACHE", str(folder))
    monkeypatch.setattr(
        releases, "_install_from_pypi", lambda v, s: "No matching distribution found"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    truncated_npm(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return folder


def test_bad_releases_get_an_environment_fault_and_the_others_still_run(
    cache: Path, tmp_path: Path
) -> None:
    fake_release(cache, "9.1.0", bundle="0.163.0", layout="npm")
    fake_release(cache, "9.2.0", bundle="0.171.0", layout="pypi")
    fake_release(cache, "9.4.0", starts=False, bundle="0.171.0")
    fake_release(cache, "9.6.0", bundle="0.171.0")
    (cache / "codex-9.6.0" / "package" / "vendor" / "x86_64-unknown-linux-musl" / "bin"
     / "codex").write_text("#!/bin/sh\necho 'codex-cli 9.6.1'\n")  # fmt: skip
    out = tmp_path / "out"
    versions = ["9.1.0", "9.2.0", "9.3.0", "9.4.0", "9.5.0", "9.6.0"]
    lines: list[str] = []
    matrix = run_matrix(
        versions, out, RunSettings(workers=0, keyword=QUICK), jobs=3, log=lines.append
    )
    write_outputs(matrix, out)

    data = json.loads((out / "matrix.json").read_text())
    by_version = {r["version"]: r for r in data["releases"]}
    assert list(by_version) == versions
    for good, source in (("9.1.0", "npm"), ("9.2.0", "pypi")):
        release = by_version[good]
        assert release["source"] == source
        assert release["error"] is None
        assert release["scenarios"] == {
            "account-read-logged-out": "passed",
            "unknown-method": "passed",
        }, (out / "releases" / good / "console.txt").read_text()[-2000:]
        assert release["bundle"] == f"bundles/{good}"
    errors = {v: by_version[v]["error"] for v in ("9.3.0", "9.4.0", "9.5.0", "9.6.0")}
    assert {e["fault"] for e in errors.values()} == {"environment"}
    assert "neither on PyPI (No matching distribution found)" in errors["9.3.0"]["message"]
    assert errors["9.4.0"]["message"].startswith(
        "the server ended before answering `initialize` (exit code 127): "
    )
    assert "its stderr ends: / codex: error while loading" in errors["9.4.0"]["message"]
    assert "cannot unpack" in errors["9.5.0"]["message"]
    assert "reports 9.6.1" in errors["9.6.0"]["message"]
    assert by_version["9.3.0"]["scenarios"] == {} and by_version["9.3.0"]["source"] is None
    # The gate runs between consecutive releases that have a bundle: 9.4.0's binary could
    # still write its schema, even though its app-server does not start.
    steps = [(s["from"], s["to"]) for s in data["compat"]]
    assert steps == [("9.1.0", "9.2.0"), ("9.2.0", "9.4.0")]
    first = data["compat"][0]
    gcp = [f for f in first["errors"] if f["path"] == "GetAccountResponse.account.oneOf[gcp]"]
    assert gcp and gcp[0]["method"] == "account/read" and gcp[0]["rule"] == "CMP040"
    assert {"from", "to", "errors", "warnings"} <= set(first)
    assert data["compat"][1]["errors"] == data["compat"][1]["warnings"] == []
    assert any(line.startswith("codex 9.3.0: environment fault:") for line in lines)
    page = (out / "matrix.html").read_text()
    assert "9.5.0 not run</b>: environment fault: " in page
    summary = (out / "matrix.md").read_text()
    row = "| 9.4.0 | npm | 0 | 0 | 0 | 0 | — | **environment fault**: the server ended before"
    assert row in summary
    assert Matrix.read(out / "matrix.json").to_json() == data


def processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_text(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_cancelled_matrix_leaves_no_catalog_run_behind(tmp_path: Path) -> None:
    """SIGTERM (a CI job cancelled) while a release's catalog runs: the run, its workers
    and its servers end with the matrix."""
    cache = tmp_path / "cache"
    fake_release(cache, "9.1.0")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "waits-long.yaml").write_text(
        "title: waits\ndescription: keeps a server busy\nsteps:\n  - sleep: 30\n"
    )
    out = tmp_path / "out"
    matrix = subprocess.Popen(
        [sys.executable, "-m", "conformance", "matrix", "--releases", "9.1.0", "-k",
         "waits-long", "--conformance-catalog", str(catalog), "--out", str(out)],
        env={**os.environ, "CODEX_KIT_CACHE": str(cache)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        marker = str(cache / "codex-9.1.0")
        while time.monotonic() < deadline and len(processes_mentioning(marker)) < 2:
            time.sleep(0.2)  # the catalog run, and the fake server it started
        assert len(processes_mentioning(marker)) >= 2, "the catalog run never started"
        matrix.send_signal(signal.SIGTERM)
        matrix.wait(timeout=30)
    finally:
        if matrix.poll() is None:
            matrix.kill()
            matrix.wait()
    deadline = time.monotonic() + 10
    while processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(marker) == []
    assert matrix.returncode == 130
