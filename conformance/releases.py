"""Find, or install, the ``codex`` binary of any release.

Where a release comes from, in order: the ``openai-codex-cli-bin`` of the current
environment (when it is that version); the per-user cache (``$CODEX_KIT_CACHE``, else
``~/.cache/codex-app-server-kit``); PyPI's ``openai-codex-cli-bin`` installed there with
``pip install --target``; npm's ``@openai/codex@VERSION-linux-x64`` (``npm pack`` and
untar), for the releases PyPI does not carry. Installs happen once, under a file lock,
so parallel test workers wait for one download instead of racing; nothing is ever
installed into the repository or globally. About 300 MB a release.

A binary is only handed out once ``codex --version`` says it is the version asked for:
a cache folder left half-written, or a package whose binary is another release, must
not be judged under the wrong name.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .versions import is_release

PACKAGE = "openai-codex-cli-bin"
NPM_PACKAGE = "@openai/codex"
#: Python's machine name -> (npm package suffix, the Rust target the binary is built for).
_NPM_PLATFORMS = {
    "x86_64": ("linux-x64", "x86_64-unknown-linux-musl"),
    "aarch64": ("linux-arm64", "aarch64-unknown-linux-musl"),
}
_INSTALL_TIMEOUT = 900


class ReleaseUnavailable(RuntimeError):
    """A codex release could not be found or installed; the message says where it looked."""


def cache_root() -> Path:
    """Where releases are installed: ``$CODEX_KIT_CACHE`` or the XDG cache."""
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


def _npm_platform() -> tuple[str, str]:
    machine = platform.machine().lower()
    found = _NPM_PLATFORMS.get(machine)
    if found is None or not sys.platform.startswith("linux"):
        raise ReleaseUnavailable(
            f"npm carries codex binaries for linux on {', '.join(_NPM_PLATFORMS)}; "
            f"this machine is {sys.platform} {machine}"
        )
    return found


def _binaries_in(folder: Path) -> list[Path]:
    """Where a cached release keeps its binary: PyPI's layout, then npm's."""
    candidates = [folder / "codex_cli_bin" / "bin" / "codex"]
    for _, target in _NPM_PLATFORMS.values():
        candidates.append(folder / "package" / "vendor" / target / "bin" / "codex")
    return candidates


def _cached_binary(folder: Path) -> Path | None:
    return next((path for path in _binaries_in(folder) if path.is_file()), None)


def reported_version(binary: Path) -> str | None:
    """What ``codex --version`` prints (``codex-cli 0.171.0`` -> ``0.171.0``)."""
    try:
        proc = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = proc.stdout.split()
    return words[-1] if proc.returncode == 0 and words else None


def _checked(binary: Path, version: str, source: str) -> Path:
    reported = reported_version(binary)
    if reported != version:
        raise ReleaseUnavailable(
            f"{binary} ({source}) reports {reported or 'no version'} for `codex --version`, "
            f"not {version}; remove it and try again"
        )
    return binary


def codex_binary(version: str) -> Path:
    """Path of the ``codex`` binary of ``version``, installing it into the cache if needed."""
    if not is_release(version):
        raise ReleaseUnavailable(f"{version!r} is not a codex version (e.g. 0.171.0)")
    if installed_version() == version:
        import codex_cli_bin

        return _checked(Path(codex_cli_bin.bundled_codex_path()), version, "this environment")
    folder = cache_root() / f"codex-{version}"
    cached = _cached_binary(folder)
    if cached is not None:
        return _checked(cached, version, "the cache")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f"codex-{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _cached_binary(folder)  # another process may have installed it meanwhile
        if cached is not None:
            return _checked(cached, version, "the cache")
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        pypi_error = _install_from_pypi(version, staging)
        if pypi_error is not None:
            shutil.rmtree(staging, ignore_errors=True)
            npm_error = _install_from_npm(version, staging)
            if npm_error is not None:
                shutil.rmtree(staging, ignore_errors=True)
                raise ReleaseUnavailable(
                    f"codex {version} is neither on PyPI ({pypi_error}) nor on npm ({npm_error})"
                )
        binary = _cached_binary(staging)
        if binary is None:
            raise ReleaseUnavailable(f"codex {version}: no binary in what was installed")
        _checked(binary, version, "just installed")
        staging.rename(folder)
    found = _cached_binary(folder)
    assert found is not None
    return found


def _install_from_pypi(version: str, staging: Path) -> str | None:
    """``pip install --target``; None when it worked, else why not (one line)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--disable-pip-version-check", "--target", str(staging), f"{PACKAGE}=={version}"],
        capture_output=True, text=True, timeout=_INSTALL_TIMEOUT, check=False,
    )  # fmt: skip
    if proc.returncode == 0 and _cached_binary(staging) is not None:
        return None
    return _last_line(proc.stderr) or f"pip exited with {proc.returncode}"


def _install_from_npm(version: str, staging: Path) -> str | None:
    """``npm pack`` the platform package and untar it; None when it worked, else why not."""
    try:
        suffix, _ = _npm_platform()
    except ReleaseUnavailable as exc:
        return str(exc)
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on PATH"
    with tempfile.TemporaryDirectory(prefix="codex-npm-") as download:
        proc = subprocess.run(
            [npm, "pack", "--silent", f"{NPM_PACKAGE}@{version}-{suffix}"],
            capture_output=True, text=True, cwd=download, timeout=_INSTALL_TIMEOUT, check=False,
        )  # fmt: skip
        tarballs = sorted(Path(download).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            return _last_line(proc.stderr) or f"npm pack exited with {proc.returncode}"
        staging.mkdir(parents=True)
        try:
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(staging, filter="tar")
        except (OSError, EOFError, tarfile.TarError) as exc:  # EOFError: a cut-off download
            return f"cannot unpack {tarballs[0].name}: {exc}"
    return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


class SchemaNotGenerated(RuntimeError):
    """``generate-json-schema`` could not be run or failed; the message says why."""


def write_schema(server: list[str], out: Path, timeout: float = 120.0) -> Path:
    """Run ``SERVER generate-json-schema --out OUT`` (``server``: the app-server command,
    ``[codex, "app-server"]``), the one way the kit has a release write its own bundle.
    SchemaNotGenerated, with the stderr tail, when it cannot be run or fails."""
    try:
        proc = subprocess.run(
            [*server, "generate-json-schema", "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SchemaNotGenerated(str(exc)) from exc
    if proc.returncode != 0:
        raise SchemaNotGenerated(proc.stderr.strip()[-400:] or f"exit {proc.returncode}")
    return out


def generate_schema(version: str, out: Path) -> Path:
    """Write ``version``'s own JSON Schema bundle (``generate-json-schema``) into ``out``."""
    try:
        return write_schema([str(codex_binary(version)), "app-server"], out)
    except SchemaNotGenerated as exc:
        raise ReleaseUnavailable(f"codex {version} could not generate its schema: {exc}") from exc
