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
from dataclasses import dataclass
from pathlib import Path

from ..bundles import BUNDLES
from ..releases import SchemaNotGenerated, cache_root, write_schema

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
    try:
        write_schema([str(binary), "app-server"], staging)
        if not (staging / _MARK).is_file():
            raise SchemaNotGenerated("exit 0, no JSON written")
    except SchemaNotGenerated as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return ReleaseBundle(None, None, f"codex {version} generate-json-schema failed: {exc}")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return ReleaseBundle(folder, "generated")
