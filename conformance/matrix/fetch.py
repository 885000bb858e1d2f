"""One release's binary, from this environment, the cache, PyPI or npm.

:func:`conformance.releases.codex_binary` does the finding and installing (once, under a
lock, checked with ``codex --version``); this module only says where the binary came
from, for the report, and turns every way of failing (a version that exists nowhere, a
download cut off, a binary that does not start or reports another version) into one
message for that release's column.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..releases import ReleaseUnavailable, cache_root, codex_binary

#: Finds (or installs) a release's binary; tests swap in one that needs no network.
BinaryFinder = Callable[[str], Path]


@dataclass(frozen=True)
class Fetched:
    version: str
    binary: Path | None
    source: str | None  # "venv", "pypi" or "npm"; None when it could not be had
    seconds: float
    error: str | None = None


def source_of(binary: Path) -> str:
    """Where a binary came from, by where it lies: this environment, or the cache folder
    of a PyPI install (``codex_cli_bin/``) or of an npm package (``package/vendor/``)."""
    try:
        binary.relative_to(cache_root())
    except ValueError:
        return "venv"
    return "npm" if "vendor" in binary.parts else "pypi"


def fetch(version: str, find: BinaryFinder = codex_binary) -> Fetched:
    started = time.monotonic()
    try:
        binary = find(version)
    except ReleaseUnavailable as exc:
        return Fetched(version, None, None, time.monotonic() - started, str(exc))
    except Exception as exc:  # a full disk, an installer's own bug: this release only
        error = f"codex {version} could not be installed: {type(exc).__name__}: {exc}"
        return Fetched(version, None, None, time.monotonic() - started, error)
    return Fetched(version, binary, source_of(binary), time.monotonic() - started)
