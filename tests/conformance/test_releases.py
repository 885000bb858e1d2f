"""Where codex releases come from, without the network: the cache, and its checks.

(Installing from PyPI and npm is exercised at session start, by tests/conftest.py, for
every release the suite runs.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import releases
from conformance.releases import ReleaseUnavailable, codex_binary


def fake_release(folder: Path, prints: str, layout: str = "npm") -> Path:
    """A cached 'binary' that answers ``--version`` with ``prints``."""
    if layout == "npm":
        binary = folder / "package" / "vendor" / "x86_64-unknown-linux-musl" / "bin" / "codex"
    else:
        binary = folder / "codex_cli_bin" / "bin" / "codex"
    binary.parent.mkdir(parents=True)
    binary.write_text(f"#!/bin/sh\necho '{prints}'\n")
    binary.chmod(0o755)
    return binary


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CODEX_KIT_CACHE", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("layout", ["npm", "pypi"])
def test_a_cached_release_is_used_as_it_is(cache: Path, layout: str) -> None:
    binary = fake_release(cache / "codex-9.9.9", "codex-cli 9.9.9", layout)
    assert codex_binary("9.9.9") == binary


def test_a_cached_binary_of_another_version_is_refused(cache: Path) -> None:
    fake_release(cache / "codex-9.9.8", "codex-cli 9.9.7")
    with pytest.raises(ReleaseUnavailable, match=r"reports 9\.9\.7 .* not 9\.9\.8; remove it"):
        codex_binary("9.9.8")


def test_what_is_not_a_version_is_refused_before_any_download(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_download(*args: object) -> str:
        raise AssertionError("nothing may be installed")

    monkeypatch.setattr(releases, "_install_from_pypi", no_download)
    with pytest.raises(ReleaseUnavailable, match="is not a codex version"):
        codex_binary("latest; rm -rf /")


def test_a_release_on_neither_registry_says_where_it_looked(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(releases, "_install_from_pypi", lambda v, s: "No matching distribution")
    monkeypatch.setattr(releases, "_install_from_npm", lambda v, s: "404 Not Found")
    with pytest.raises(ReleaseUnavailable) as caught:
        codex_binary("9.9.6")
    assert str(caught.value) == (
        "codex 9.9.6 is neither on PyPI (No matching distribution) nor on npm (404 Not Found)"
    )
    assert not (cache / "codex-9.9.6").exists()
    assert not (cache / "codex-9.9.6.partial").exists()


def test_an_install_lands_in_the_cache_only_once_checked(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def from_npm(version: str, staging: Path) -> None:
        fake_release(staging, f"codex-cli {version}")

    monkeypatch.setattr(releases, "_install_from_pypi", lambda v, s: "not on PyPI")
    monkeypatch.setattr(releases, "_install_from_npm", from_npm)
    binary = codex_binary("9.9.5")
    assert binary.is_relative_to(cache / "codex-9.9.5")
    assert releases.reported_version(binary) == "9.9.5"
