"""How releases are ordered: by number, a pre-release before its release."""

from __future__ import annotations


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """``0.161.0`` < ``0.162.0-alpha.15`` < ``0.162.0`` < ``0.162.1``."""
    number, _, suffix = version.partition("-")
    major, minor, patch = (int(part) for part in number.split("."))
    return (major, minor, patch, 0 if suffix else 1, suffix)
