"""``--merge DIR1 DIR2 ...``: one matrix from the folders of many jobs.

Each CI job runs one release (or one shard of one release's catalog) and uploads its
output folder; the last job merges them. Runs of the same release are united scenario by
scenario (a scenario reported twice with different outcomes is an error: two jobs
disagree, and neither may silently win). Generated bundles travel in the folders
(``bundles/VERSION``), so the gate between consecutive releases is computed here, over
all of them.
"""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

from .record import Matrix, ReleaseResult
from .run import bundle_folder, compat_chain


class MergeError(ValueError):
    """The folders cannot be merged; the message names the folder and the conflict."""


def merge(folders: list[Path], out: Path) -> Matrix:
    merged = Matrix(selection="merged")
    by_version: dict[str, ReleaseResult] = {}
    for folder in folders:
        path = folder / "matrix.json"
        if not path.is_file():
            raise MergeError(f"{folder}: no matrix.json (is it a matrix output folder?)")
        try:
            part = Matrix.read(path)
        except (ValueError, KeyError, TypeError) as exc:
            raise MergeError(f"{path}: not a matrix report: {exc}") from None
        merged.titles.update(part.titles)
        if part.kit_version and part.kit_version != merged.kit_version:
            merged.warnings.append(
                f"{folder} was run by codex-app-server-kit {part.kit_version}, this merge by "
                f"{merged.kit_version}: their catalogs may differ"
            )
        merged.warnings.extend(w for w in part.warnings if w not in merged.warnings)
        merged.wall_seconds = max(merged.wall_seconds, part.wall_seconds)
        for release in part.releases:
            _bring_bundle(release, folder, out)
            if release.version not in by_version:
                by_version[release.version] = release
            else:
                _unite(by_version[release.version], release, folder)
    merged.releases = list(by_version.values())
    merged.compat = compat_chain(merged.releases, lambda r: bundle_folder(r, out))
    return merged


def _bring_bundle(release: ReleaseResult, folder: Path, out: Path) -> None:
    if not release.bundle or release.bundle == "vendored":
        return
    source, target = folder / release.bundle, out / release.bundle
    if source.is_dir() and source.resolve() != target.resolve():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def _unite(into: ReleaseResult, other: ReleaseResult, folder: Path) -> None:
    for scenario, outcome in other.scenarios.items():
        known = into.scenarios.get(scenario)
        if known is not None and known != outcome:
            raise MergeError(
                f"{folder}: codex {other.version} {scenario} is {outcome} there but {known} "
                "in an earlier folder; merge the runs of one release only once"
            )
        into.scenarios[scenario] = outcome
    into.reasons.update(other.reasons)
    into.shards = sorted({*into.shards, *other.shards})
    for single in fields(ReleaseResult):  # error, source, schema ...: the first one known
        if single.default is None and getattr(into, single.name) is None:
            setattr(into, single.name, getattr(other, single.name))
    into.schema_gaps = sorted({*into.schema_gaps, *other.schema_gaps})
    for key, seconds in other.seconds.items():
        into.seconds[key] = max(into.seconds.get(key, 0.0), seconds)
