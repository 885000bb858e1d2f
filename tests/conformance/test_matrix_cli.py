"""``codex-conformance matrix`` as users type it: help, usage errors, exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance import releases
from conformance.matrix.cli import main

from .matrix_fakes import QUICK, fake_release


def test_help_shows_examples() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "matrix", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0
    assert "codex-conformance matrix --releases 0.133.0,0.163.0,0.171.0 --out matrix" in proc.stdout
    assert "--merge part1 part2" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--releases", "0.163", "--out", "x"], "'0.163' is not a release"),
        (["--releases", "0.163.0", "--shard", "2/1", "--out", "x"], "I must be between 1 and N"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args[:-1], str(tmp_path / args[-1])]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_releases_or_merge_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--out", "x"])
    assert caught.value.code == 2
    assert "one of the arguments --releases --merge is required" in capsys.readouterr().err


def test_offline_a_list_that_needs_the_registries_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    assert main(["--releases", "latest:2", "--out", str(tmp_path / "out")]) == 2
    assert "error: cannot list the published codex releases" in capsys.readouterr().err


def test_exit_status_is_0_only_when_every_release_ran_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CODEX_KIT_CACHE", str(cache))
    monkeypatch.setattr(releases, "_install_from_pypi", lambda v, s: "not on PyPI")
    monkeypatch.setattr(releases, "_install_from_npm", lambda v, s: "not on npm")
    fake_release(cache, "9.1.0")
    base = ["-k", QUICK, "-n", "0"]
    assert main(["--releases", "9.1.0", "--out", str(tmp_path / "good"), *base]) == 0
    out = capsys.readouterr().out
    assert "codex 9.1.0 (npm): 2 passed in" in out
    assert f"written: {tmp_path / 'good' / 'matrix.html'}" in out
    assert main(["--releases", "9.1.0,9.9.9", "--out", str(tmp_path / "bad"), *base]) == 1
    assert (
        "codex 9.9.9: environment fault: codex 9.9.9 is neither on PyPI (not on PyPI) nor on npm"
        in capsys.readouterr().out
    )


def test_list_prints_the_releases_as_json_and_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--releases", "0.171.0,0.133.0,0.171.0", "--list"]) == 0
    assert capsys.readouterr().out == '["0.133.0", "0.171.0"]\n'
    assert list(tmp_path.iterdir()) == []
