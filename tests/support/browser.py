"""A real headless Chromium for the tests that look at a page as a person would.

Debian's ``chromium`` (``make test`` installs it) driven by Playwright: the same browser
everywhere, with the flags that keep it quiet in a container and off the network."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: No sandbox (containers have no user namespaces), no GPU, nothing fetched in the
#: background: the only requests the browser makes are the test's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched browser, closed on the way out."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required: `make test` installs it"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
