"""Suite-wide set-up."""

from __future__ import annotations

import pytest

from conformance.releases import codex_binary


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install the second codex release before any test starts (each xdist worker waits on
    the same file lock): a first download of ~300 MB must not count against the timeout
    of whichever test happens to need it first."""
    codex_binary("0.133.0")
