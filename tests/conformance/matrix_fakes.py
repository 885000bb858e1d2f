"""Fake codex releases for the matrix's tests: nothing is downloaded.

A fake release is a shell script in the cache's layout (as ``codex_binary`` finds it):
``--version`` answers its version, ``app-server generate-json-schema --out DIR`` copies
a vendored bundle, and ``app-server`` runs the reference server, or fails to start.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from conformance.bundles import BUNDLES

#: Two quick scenarios: enough to fill a column without the minute a whole catalog takes.
QUICK = "account-read-logged-out or unknown-method"


def fake_release(
    cache: Path,
    version: str,
    *,
    starts: bool = True,
    bundle: str = "0.163.0",
    layout: str = "npm",
) -> Path:
    """A cached 'codex' of ``version``; ``starts=False``: its app-server exits at once."""
    folder = cache / f"codex-{version}"
    if layout == "npm":
        binary = folder / "package" / "vendor" / "x86_64-unknown-linux-musl" / "bin" / "codex"
    else:
        binary = folder / "codex_cli_bin" / "bin" / "codex"
    binary.parent.mkdir(parents=True)
    server = (
        # Not exec'd: the shell keeps the fake's path in its command line, so a test can
        # see whether a server of this fake is still running.
        f"{shlex.quote(sys.executable)} -m reference_server app-server"
        if starts
        else "echo 'codex: error while loading shared libraries: libfake.so' >&2; exit 127"
    )
    binary.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "codex-cli {version}"; exit 0; fi\n'
        'if [ "$1" = app-server ] && [ "$2" = generate-json-schema ]; then\n'
        f'  mkdir -p "$4" && cp -r {shlex.quote(str(BUNDLES / bundle))}/. "$4"; exit 0\n'
        "fi\n"
        f"{server}\n"
    )
    binary.chmod(0o755)
    return binary
