"""The release matrix over three cached releases, side by side in one run (not a test):
the whole catalog against each, releases one after the other or in parallel workers, each
catalog with one or two scenarios at once; wall time and the ratio to the sequential run.

    .venv/bin/python benchmarks/bench_matrix.py [--releases 0.133.0,0.163.0,0.171.0]
        [--configs 1x1,1x2,3x1,2x1] [--json out.json]

A config ``JxN`` is ``-j J`` releases at once, ``-n N`` scenarios at once in each.
Target (issue #15): three cached releases in ≤ 2 min on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance.matrix.catalog_run import RunSettings
from conformance.matrix.run import run_matrix
from conformance.releases import codex_binary

TARGET_SECONDS = 120.0


def one(versions: list[str], jobs: int, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp:
        started = time.perf_counter()
        matrix = run_matrix(
            versions, Path(tmp), RunSettings(workers=workers), jobs=jobs, log=lambda _: None
        )
        wall = time.perf_counter() - started
    broken = [r.version for r in matrix.releases if r.error]
    if broken:
        raise SystemExit(f"releases could not run: {broken}")
    return {
        "config": f"{jobs}x{workers}",
        "jobs": jobs,
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "scenarios": sum(len(r.scenarios) for r in matrix.releases),
        "failed": sum(r.counts()["failed"] for r in matrix.releases),
        "per_release_seconds": {
            r.version: round(r.seconds.get("run", 0), 1) for r in matrix.releases
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", default="0.133.0,0.163.0,0.171.0")
    parser.add_argument("--configs", default="1x1,1x2,3x1,2x1")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    versions = args.releases.split(",")
    for version in versions:  # cached before timing: the target is for cached releases
        codex_binary(version)
    rows = []
    for config in args.configs.split(","):
        jobs, workers = (int(part) for part in config.split("x"))
        rows.append(one(versions, jobs, workers))
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]["wall_seconds"]
    load = os.getloadavg()
    print(f"\n{len(versions)} releases ({', '.join(versions)}), {os.cpu_count()} cores, "
          f"load average now {load[0]:.1f}")  # fmt: skip
    print("| config | wall | vs the first | target ≤ 120 s |")
    print("| --- | ---: | ---: | --- |")
    for row in rows:
        verdict = "met" if row["wall_seconds"] <= TARGET_SECONDS else "missed"
        print(
            f"| -j {row['jobs']} -n {row['workers']} | {row['wall_seconds']} s | "
            f"{base / row['wall_seconds']:.2f}x | {verdict} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"releases": versions, "runs": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
