"""What a codex version is, how versions are ordered, and which known one stands in for
another: the one definition the schema bundle choice, the baseline choice, the release
installer and the release matrix share (the matrix imports it; it imports nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A release number, ``0.171.0``.
STABLE = r"\d+\.\d+\.\d+"
_STABLE = re.compile(rf"^{STABLE}$")
_RELEASE = re.compile(rf"^{STABLE}(?:-[0-9A-Za-z.-]+)?$")


def is_stable(text: str) -> bool:
    """``0.171.0``, not a pre-release (``0.162.0-alpha.15``) nor anything else."""
    return bool(_STABLE.match(text))


def is_release(text: str) -> bool:
    """A release or a pre-release: ``0.171.0``, ``0.162.0-alpha.15``."""
    return bool(_RELEASE.match(text))


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """``0.161.0`` < ``0.162.0-alpha.15`` < ``0.162.0`` < ``0.162.1``."""
    number, _, suffix = version.partition("-")
    major, minor, patch = (int(part) for part in number.split("."))
    return (major, minor, patch, 0 if suffix else 1, suffix)


def nearest_not_newer(version: str, known: Iterable[str]) -> str | None:
    """The newest of ``known`` not newer than ``version`` (``version`` itself when known):
    what a release without a bundle or baseline of its own most likely extends. None when
    every one is newer."""
    wanted = version_key(version)
    older = [v for v in known if version_key(v) <= wanted]
    return max(older, key=version_key) if older else None
