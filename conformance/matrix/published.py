"""Which codex releases are published, asked of the registries through their own clients.

PyPI's ``openai-codex-cli-bin`` is asked with ``pip index versions`` and npm's
``@openai/codex`` with ``npm view``: the ordinary clients honour whatever index, mirror or
proxy the machine is configured for, as the installs in :mod:`conformance.releases` do. A
release counts for npm only when its binary for this platform is published
(``0.171.0-linux-x64``); npm's publish times date every release, PyPI's included (npm
carries those too).

When one registry cannot be asked the other's list is used, with a warning in the report;
when neither can, the error says so and how to run on exact versions from the cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from ..releases import NPM_PACKAGE, PACKAGE, ReleaseUnavailable, _npm_platform
from ..versions import is_stable, version_key

_TIMEOUT = 120


class RegistryError(RuntimeError):
    """Neither registry could list the releases (offline, or both misconfigured)."""


@dataclass(frozen=True)
class PublishedRelease:
    registries: tuple[str, ...]  # "pypi", "npm"
    date: str | None = None  # YYYY-MM-DD, from npm's publish times


@dataclass
class Published:
    releases: dict[str, PublishedRelease] = field(default_factory=dict)
    #: A registry that could not be asked; the list may then lack its releases.
    warnings: list[str] = field(default_factory=list)

    def versions(self) -> list[str]:
        return sorted(self.releases, key=version_key)

    def describe(self) -> str:
        known = self.versions()
        return f"{len(known)}, {known[0]} … {known[-1]}" if known else "none"

    @classmethod
    def from_registries(
        cls, pip: list[str] | None = None, npm: list[str] | None = None
    ) -> Published:
        """Ask both registries. ``pip``/``npm``: the commands to ask with (tests swap them)."""
        pip = pip or [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        npm_program = shutil.which("npm")
        npm = npm or ([npm_program] if npm_program else None)
        pypi, pypi_error = _pypi_versions(pip)
        npm_found, npm_error = _npm_versions(npm) if npm else ({}, "npm is not on PATH")
        if pypi_error and npm_error:
            raise RegistryError(
                f"cannot list the published codex releases: PyPI ({pypi_error}); npm "
                f"({npm_error}). Offline? Exact versions need no list and run from the "
                "cache: --releases 0.163.0,0.171.0"
            )
        published = cls()
        for version in sorted(set(pypi) | set(npm_found)):
            registries = tuple(
                name for name, found in (("pypi", pypi), ("npm", npm_found)) if version in found
            )
            published.releases[version] = PublishedRelease(registries, npm_found.get(version))
        for name, error in (("PyPI", pypi_error), ("npm", npm_error)):
            if error:
                published.warnings.append(
                    f"{name} could not be asked for its codex releases ({error}); the list "
                    "holds the other registry's only"
                )
        return published


def _run(argv: list[str]) -> tuple[str | None, str | None]:
    """stdout, or why the command failed: npm's JSON error summary, else the last error
    line of stderr (npm ends with where its log went, which says nothing)."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{argv[0]}: {exc}"
    if proc.returncode == 0:
        return proc.stdout, None
    try:
        summary = json.loads(proc.stdout)["error"]["summary"]
        return None, str(summary).splitlines()[0][:300]
    except (ValueError, KeyError, TypeError, IndexError):
        pass
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    lines = [line for line in lines if "complete log" not in line]
    errors = [line for line in lines if "ERR" in line.upper()] or lines
    return None, (errors[-1][:300] if errors else f"{argv[0]} exited with {proc.returncode}")


def _pypi_versions(pip: list[str]) -> tuple[dict[str, None], str | None]:
    out, error = _run([*pip, "index", "versions", PACKAGE])
    if out is None:
        return {}, error
    for line in out.splitlines():
        if line.startswith("Available versions:"):
            found = [v.strip() for v in line.split(":", 1)[1].split(",")]
            return {v: None for v in found if is_stable(v)}, None
    return {}, f"`pip index versions {PACKAGE}` printed no 'Available versions:' line"


def _npm_versions(npm: list[str]) -> tuple[dict[str, str | None], str | None]:
    try:
        suffix, _ = _npm_platform()
    except ReleaseUnavailable as exc:
        return {}, str(exc)
    out, error = _run([*npm, "view", NPM_PACKAGE, "versions", "time", "--json"])
    if out is None:
        return {}, error
    try:
        data: Any = json.loads(out)
        versions = set(data["versions"])
        times = data.get("time") or {}
    except (ValueError, KeyError, TypeError) as exc:
        return {}, f"`npm view {NPM_PACKAGE}` answered something else than JSON: {exc}"
    return {
        v: (str(times[v])[:10] if v in times else None)
        for v in versions
        if is_stable(v) and f"{v}-{suffix}" in versions
    }, None
