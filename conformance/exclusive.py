"""Machine-wide resources a scenario holds while it runs, by file lock.

Browser logins listen on 127.0.0.1:1455 whatever the server, so two of them (two
xdist workers, two test runs) must take turns. The lock file lives in the temp folder,
so everything on the machine that uses the same name takes turns with the kit.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path


def lock_path(resource: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", resource)
    return Path(tempfile.gettempdir()) / f"codex-kit-{safe}.lock"


@contextlib.contextmanager
def hold(*resources: str) -> Iterator[None]:
    """Hold every resource (in a fixed order, so two holders never deadlock)."""
    with contextlib.ExitStack() as stack:
        for resource in sorted(set(resources)):
            handle = stack.enter_context(lock_path(resource).open("w"))
            fcntl.flock(handle, fcntl.LOCK_EX)
            stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
        yield
