"""Compatibility gate timing on real release schemas (not a test).

Diff of the full 0.163.0 schema (about 660 definitions) against itself and against
0.133.0, loading included, as the CLI runs it; target ≤ 1 s each.

    .venv/bin/python benchmarks/bench_compat.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conformance.compat.diff import compare
    from conformance.compat.loader import load
    from conformance.releases import generate_schema

    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for version in ("0.133.0", "0.163.0"):
            folders[version] = str(generate_schema(version, Path(tmp) / version))
        definitions = len(load(folders["0.163.0"]).definitions)
        print(f"0.163.0 schema: {definitions} definitions (all files merged)")
        print("| diff | median of 9 (load + compare) | target | ratio to target |")
        print("| --- | --- | --- | --- |")
        for old in ("0.163.0", "0.133.0"):
            samples = []
            for _ in range(9):
                started = time.perf_counter()
                compare(load(folders[old]), load(folders["0.163.0"]))
                samples.append(time.perf_counter() - started)
            median = statistics.median(samples)
            print(f"| {old} -> 0.163.0 | {median * 1000:.0f} ms | 1000 ms | {median:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
