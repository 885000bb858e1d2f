"""Suite-wide set-up."""

from __future__ import annotations

import pytest

from conformance.releases import codex_binary

#: The releases the suite runs beside the venv's 0.163.0: 0.133.0 from PyPI, the newer
#: ones from npm (PyPI stops at 0.163.0).
RELEASES = ("0.133.0", "0.169.0", "0.171.0")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install the other codex releases before any test starts (each xdist worker waits on
    the same file lock): a first download of ~300 MB each must not count against the
    timeout of whichever test happens to need it first."""
    for version in RELEASES:
        codex_binary(version)
