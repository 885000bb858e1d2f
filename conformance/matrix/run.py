"""Run the matrix: every release in parallel workers, then the gate between neighbours.

Each worker takes one release at a time through fetch → its schema bundle → the catalog
(in a process of its own). ``jobs`` releases run side by side, each catalog with
``workers`` scenarios at once. A scenario mostly waits (for the server, for a message that
must not come), so on 2 cores three releases at once finish 2.6x sooner than one after the
other, and three with two scenarios each 3.8x (``benchmarks/bench_matrix.py``). A release
that fails to fetch or start is recorded with why; nothing it does stops the others.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..releases import codex_binary
from ..scenario import CATALOG, load_catalog
from ..versions import version_key
from .catalog_run import Processes, RunsEnded, RunSettings, run_catalog
from .compat_steps import CompatStep, compare_bundles
from .fetch import BinaryFinder, fetch
from .published import Published
from .record import Matrix, ReleaseResult
from .release_bundle import bundle_for, vendored_folder

Log = Callable[[str], None]


def run_matrix(
    versions: list[str],
    out: Path,
    settings: RunSettings,
    jobs: int = 3,
    find: BinaryFinder = codex_binary,
    published: Published | None = None,
    log: Log = print,
) -> Matrix:
    started = time.monotonic()
    matrix = Matrix(titles=catalog_titles(settings.catalogs))
    if published is not None:
        matrix.warnings.extend(published.warnings)
    processes = Processes()

    def one(version: str) -> ReleaseResult:
        try:
            release = run_release(version, out, settings, find, processes)
        except RunsEnded:
            raise
        except Exception as exc:  # the kit's own bug on one release: that column says so
            why = f"the matrix failed on this release: {type(exc).__name__}: {exc}"
            release = ReleaseResult(version, error={"fault": "environment", "message": why})
        if published is not None and version in published.releases:
            release.published = published.releases[version].date
        log(describe(release))
        return release

    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="release")
    try:
        matrix.releases = list(pool.map(one, versions))
    finally:
        # Interrupted (Ctrl-C, SIGTERM): releases not begun never start, runs in flight end.
        processes.end_all()
        pool.shutdown(wait=True, cancel_futures=True)
    matrix.compat = compat_chain(matrix.releases, lambda r: bundle_folder(r, out))
    matrix.wall_seconds = time.monotonic() - started
    return matrix


def run_release(
    version: str, out: Path, settings: RunSettings, find: BinaryFinder, processes: Processes
) -> ReleaseResult:
    got = fetch(version, find)
    release = ReleaseResult(version, got.source, seconds={"fetch": got.seconds})
    if settings.shard:
        release.shards = [settings.shard]
    if got.binary is None:
        release.error = {"fault": "environment", "message": got.error or "no binary"}
        return release
    bundle = bundle_for(version, got.binary)
    if bundle.origin == "vendored":
        release.bundle = "vendored"
    elif bundle.folder is not None:
        copy = out / "bundles" / version
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(bundle.folder, copy)
        release.bundle = f"bundles/{version}"
    else:
        release.reasons["(schema)"] = bundle.error or "no schema bundle"
    begun = time.monotonic()
    own = bundle.folder if bundle.origin == "generated" else None
    run_catalog(release, got.binary, out / "releases" / version, settings, processes, own)
    release.seconds["run"] = time.monotonic() - begun
    if own is not None and not release.error:
        release.schema = f"codex-{version} (generated)"
    return release


def bundle_folder(release: ReleaseResult, root: Path) -> Path | None:
    """Where a release's bundle lies: vendored, or copied into the output folder ``root``."""
    if release.bundle == "vendored":
        return vendored_folder(release.version)
    if release.bundle:
        folder = root / release.bundle
        return folder if folder.is_dir() else None
    return None


def compat_chain(
    releases: list[ReleaseResult], folder_of: Callable[[ReleaseResult], Path | None]
) -> list[CompatStep]:
    """The gate between each release and the next one that has a bundle."""
    with_bundles = [
        (release, folder)
        for release in sorted(releases, key=lambda r: version_key(r.version))
        if (folder := folder_of(release)) is not None
    ]
    return [
        compare_bundles(old.version, old_folder, new.version, new_folder)
        for (old, old_folder), (new, new_folder) in itertools.pairwise(with_bundles)
    ]


def catalog_titles(catalogs: tuple[Path, ...] = ()) -> dict[str, str]:
    titles = {s.id: s.title for s in load_catalog(CATALOG)}
    for folder in catalogs:
        titles.update({s.id: s.title for s in load_catalog(folder)})
    return titles


def describe(release: ReleaseResult) -> str:
    where = f" ({release.source})" if release.source else ""
    if release.error:
        fault, message = release.error["fault"], release.error["message"]
        return f"codex {release.version}{where}: {fault} fault: {message}"
    counts = ", ".join(f"{n} {o}" for o, n in release.counts().items() if n)
    seconds = sum(release.seconds.values())
    return f"codex {release.version}{where}: {counts or 'no scenarios'} in {seconds:.0f} s"
