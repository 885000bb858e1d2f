"""The whole catalog against the real codex 0.163.0 (and the reference server), side by side
in one run (not a test): wall time with ``-n 0`` and ``-n 2``, the speed-up, and the share
of the run spent validating messages against the schema.

    .venv/bin/python benchmarks/bench_conformance.py [--json out.json]

Targets (issue #5): ≤ 30 s with -n 2 on 2 cores, ≥ 1.7x speed-up, validation ≤ 5 %.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from conformance.releases import codex_binary


def catalog_run(command: list[str], workers: str, baseline: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [sys.executable, "-m", "conformance", "--app-server", shlex.join(command)]
        args += ["-n", workers, "-q", "--conformance-json", str(report)]
        if baseline:
            args += ["--conformance-baseline", baseline]
        started = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"catalog run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
        data = json.loads(report.read_text())
    scenario_time = sum(s["duration"] for s in data["scenarios"])
    validation = data["summary"]["validation_seconds"]
    return {
        "workers": workers,
        "wall_seconds": round(wall, 2),
        "scenarios": len(data["scenarios"]),
        "scenario_seconds": round(scenario_time, 2),
        "validation_seconds": round(validation, 3),
        "validation_share_of_wall": round(validation / wall, 4),
        "slowest": sorted(data["scenarios"], key=lambda s: -s["duration"])[0]["id"],
    }


def median_run(command: list[str], workers: str, baseline: str | None, runs: int) -> dict[str, Any]:
    """The run with the median wall time of ``runs`` (-n 0 and -n 2 alternate per call)."""
    results = sorted(
        (catalog_run(command, workers, baseline) for _ in range(runs)),
        key=lambda r: float(r["wall_seconds"]),
    )
    chosen = results[len(results) // 2]
    chosen["all_wall_seconds"] = [r["wall_seconds"] for r in results]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per figure (median).")
    parser.add_argument("--only", choices=("codex-0.163.0", "reference"), help="One server.")
    options = parser.parse_args()
    servers = {
        "codex-0.163.0": ([str(codex_binary("0.163.0")), "app-server"], "codex-0.163.0"),
        # It reports 0.163.0 without 0.163.0's deviations: held to no baseline.
        "reference": ([sys.executable, "-m", "reference_server", "app-server"], "none"),
    }
    figures: dict[str, Any] = {}
    for name, (command, baseline) in servers.items():
        if options.only and name != options.only:
            continue
        serial = median_run(command, "0", baseline, options.repeat)
        parallel = median_run(command, "2", baseline, options.repeat)
        figures[name] = {
            "n0": serial,
            "n2": parallel,
            "speedup": round(serial["wall_seconds"] / parallel["wall_seconds"], 2),
        }
        print(
            f"{name:14} -n 0: {serial['wall_seconds']:6.2f} s   -n 2: "
            f"{parallel['wall_seconds']:6.2f} s   speed-up {figures[name]['speedup']:.2f}x   "
            f"validation {serial['validation_seconds']:.3f} s "
            f"({serial['validation_share_of_wall']:.2%} of the -n 0 run)   "
            f"slowest scenario: {serial['slowest']}"
        )
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
