"""``codex-conformance matrix``: the catalog and the schema gate over many releases.

Exit status: 0 when every release ran and no scenario failed (known deviations allowed);
1 when a scenario failed or a release could not be run; 2 when the arguments, the release
list or the folders to merge cannot be used.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mock_backend.version import VersionAction

from .selection import EXAMPLE

if TYPE_CHECKING:
    from .record import Matrix

EPILOG = f"""\
examples:
  codex-conformance matrix --releases 0.133.0,0.163.0,0.171.0 --out matrix
  codex-conformance matrix --releases 0.160.0..0.171.0 -j 2 --out matrix
  codex-conformance matrix --releases latest:3 -k device-code --out matrix
  codex-conformance matrix --releases pypi,0.164.0.. --out matrix    # every release
  codex-conformance matrix --releases 0.171.0 --shard 1/2 --out part1
  codex-conformance matrix --merge part1 part2 other-release --out matrix
  codex-conformance matrix --releases latest:5 --list      # ["0.164.0", ...]

--releases items ({EXAMPLE}): an exact release, a range A..B (either end
open), latest:N, pypi or npm (every release that registry carries).
Writes OUT/matrix.json, OUT/matrix.md (a job summary) and OUT/matrix.html.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codex-conformance matrix",
        description="Run the conformance catalog and the schema gate over codex releases.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--releases", metavar="LIST", help="which releases (see below)")
    what.add_argument(
        "--merge", nargs="+", type=Path, metavar="DIR", help="merge these matrix output folders"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (required)")
    parser.add_argument(
        "--list",
        action="store_true",
        help="print the releases --releases means, as a JSON list, and run nothing "
        "(for a CI job matrix)",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=3, metavar="N", help="releases at once (default 3)"
    )
    parser.add_argument(
        "-n", dest="workers", type=int, default=1, metavar="N",
        help="scenarios at once within a release (pytest-xdist -n; default 1)",
    )  # fmt: skip
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="only scenarios matching")
    parser.add_argument("--shard", metavar="I/N", help="run only shard I of N of the catalog")
    parser.add_argument(
        "--conformance-timeout", type=float, metavar="S", help="await each message this long"
    )
    parser.add_argument(
        "--conformance-catalog", type=Path, action="append", default=[], metavar="DIR",
        help="also run the scenario files of this folder (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--time-limit", type=float, default=1800.0, metavar="S",
        help="end one release's catalog run after this long (default 1800)",
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..shard import ShardError, parse_shard
    from .catalog_run import RunSettings
    from .merge import MergeError, merge
    from .outputs import write_outputs
    from .published import Published, RegistryError
    from .run import run_matrix
    from .selection import Selection, SelectionError

    parser = _parser()
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.workers < 0:
        parser.error("-j needs 1 or more, -n 0 or more")
    if args.out is None and not args.list:
        parser.error("--out DIR is required")
    if args.list and not args.releases:
        parser.error("--list goes with --releases")
    try:
        if args.shard:
            parse_shard(args.shard)
        if args.merge:
            matrix = merge(args.merge, args.out)
        else:
            selection = Selection.parse(args.releases)
            index: list[Published] = []

            def published() -> Published:
                index.append(Published.from_registries())
                return index[0]

            versions = selection.resolve(published)
            if args.list:
                print(json.dumps(versions))
                return 0
            print(f"releases: {', '.join(versions)}", flush=True)
            settings = RunSettings(
                workers=args.workers,
                keyword=args.keyword,
                shard=args.shard,
                scenario_timeout=args.conformance_timeout,
                time_limit=args.time_limit,
                catalogs=tuple(p.resolve() for p in args.conformance_catalog),
            )
            try:
                with _sigterm_interrupts():
                    matrix = run_matrix(
                        versions,
                        args.out,
                        settings,
                        args.jobs,
                        published=index[0] if index else None,
                    )
            except KeyboardInterrupt:
                print("interrupted: every catalog run has been ended", file=sys.stderr)
                return 130
            matrix.selection = args.releases
    except (SelectionError, RegistryError, MergeError, ShardError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in write_outputs(matrix, args.out):
        print(f"written: {path}")
    return 0 if _all_good(matrix) else 1


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """A cancelled CI job sends SIGTERM: end the catalog runs as Ctrl-C would (the handler
    is ours only while the releases run, and only in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _all_good(matrix: Matrix) -> bool:
    return all(not r.error and not r.counts()["failed"] for r in matrix.releases)
