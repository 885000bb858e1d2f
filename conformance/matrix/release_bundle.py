"""Each release's own schema bundle, for the gate between consecutive releases.

A vendored release (``schema/codex/VERSION``) is compared by its vendored bundle; any
other by what its binary's ``app-server generate-json-schema`` writes, generated once into
the cache (``schemas/VERSION`` beside the binaries, written to a ``.partial`` folder and
renamed, so a cut-off generation is never taken for a bundle). The matrix copies a
generated bundle into its output folder too, so ``--merge`` can compare releases whose
binaries only the per-release jobs had.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..bundles import BUNDLES
from ..releases import cache_root

_TIMEOUT = 120
#: A file every bundle has (the request map): a folder without it is no bundle.
_MARK = "ClientRequest.json"


@dataclass(frozen=True)
class ReleaseBundle:
    folder: Path | None
    origin: str | None  # "vendored" or "generated"
    error: str | None = None


def vendored_folder(version: str) -> Path | None:
    folder = BUNDLES / version
    return folder if (folder / _MARK).is_file() else None


def bundle_for(version: str, binary: Path | None) -> ReleaseBundle:
    vendored = vendored_folder(version)
    if vendored is not None:
        return ReleaseBundle(vendored, "vendored")
    if binary is None:
        return ReleaseBundle(None, None, f"codex {version}: no binary to generate a schema with")
    folder = cache_root() / "schemas" / version
    if (folder / _MARK).is_file():
        return ReleaseBundle(folder, "generated")
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(binary), "app-server", "generate-json-schema", "--out", str(staging)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return ReleaseBundle(None, None, f"codex {version} generate-json-schema: {exc}")
    if proc.returncode != 0 or not (staging / _MARK).is_file():
        shutil.rmtree(staging, ignore_errors=True)
        tail = proc.stderr.strip()[-300:] or f"exit {proc.returncode}, no JSON written"
        return ReleaseBundle(None, None, f"codex {version} generate-json-schema failed: {tail}")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return ReleaseBundle(folder, "generated")
