"""Locate released ``codex`` binaries from PyPI's ``openai-codex-cli-bin``.

The version installed in the current environment is used as it is; any other
version is installed with ``pip install --target`` into a per-user cache folder
(never the repository, never globally), once, under a file lock so that parallel
test workers do not race. About 300 MB a version.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = "openai-codex-cli-bin"


class ReleaseUnavailable(RuntimeError):
    """A codex release could not be installed or found."""


def cache_root() -> Path:
    """Where non-default releases are installed: ``$CODEX_KIT_CACHE`` or the XDG cache."""
    explicit = os.environ.get("CODEX_KIT_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "codex-app-server-kit"


def installed_version() -> str | None:
    """The ``openai-codex-cli-bin`` version of this environment, if any."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def _binary_in(folder: Path) -> Path:
    return folder / "codex_cli_bin" / "bin" / "codex"


def codex_binary(version: str) -> Path:
    """Path of the ``codex`` binary of ``version``, installing it into the cache if needed."""
    if installed_version() == version:
        import codex_cli_bin

        return Path(codex_cli_bin.bundled_codex_path())
    target = cache_root() / f"codex-{version}"
    binary = _binary_in(target)
    if binary.is_file():
        return binary
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f"codex-{version}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.is_file():
            return binary
        staging = target.with_name(target.name + ".partial")
        subprocess.run(["rm", "-rf", str(staging)], check=True)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--target",
                str(staging),
                f"{PACKAGE}=={version}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not _binary_in(staging).is_file():
            raise ReleaseUnavailable(
                f"could not install {PACKAGE}=={version} into {staging}: {proc.stderr.strip()}"
            )
        staging.rename(target)
    return binary


def generate_schema(version: str, out: Path) -> Path:
    """Write ``version``'s own JSON Schema bundle (``generate-json-schema``) into ``out``."""
    proc = subprocess.run(
        [str(codex_binary(version)), "app-server", "generate-json-schema", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise ReleaseUnavailable(
            f"codex {version} could not generate its schema: {proc.stderr.strip()[-500:]}"
        )
    return out
