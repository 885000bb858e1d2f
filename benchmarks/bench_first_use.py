"""What the kit costs a user who did not ask for it, and how fast it gives up on a server it
cannot judge (issue #17), side by side in one run (not a test).

    .venv/bin/python benchmarks/bench_first_use.py [--runs 15] [--json out.json]

- pytest start-up: a plain ``pytest -q`` of a one-test project, with the kit's entry point
  loaded (as every installed user has it) and with it blocked (``-p
  no:codex-app-server-kit``), the two alternating; CPU seconds of the whole process
  (children's accounting), median of ``--runs`` pairs, and their ratio.
- a command that is not an app-server: ``codex-conformance --app-server "sleep 600" -n 2``
  over the whole catalog, wall time to the verdict (the preflight's one handshake timeout,
  ``--conformance-timeout 10``, the default).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def cpu_seconds(args: list[str], cwd: Path) -> float:
    """User + system seconds of one run of ``args`` (it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, cwd=cwd, capture_output=True, timeout=300, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        with_kit, without = [], []
        for _ in range(runs):
            with_kit.append(cpu_seconds(PYTEST, project))
            without.append(cpu_seconds([*PYTEST, "-p", "no:codex-app-server-kit"], project))
    a, b = statistics.median(with_kit), statistics.median(without)
    ratios = statistics.median(x / y for x, y in zip(with_kit, without, strict=True))
    return {
        "runs": runs,
        "with_kit_cpu_s": round(a, 3),
        "without_kit_cpu_s": round(b, 3),
        "added_cpu_s": round(a - b, 3),
        "ratio": round(ratios, 3),
    }


def not_an_app_server() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [sys.executable, "-m", "conformance", "--app-server", "sleep 600", "-n", "2"]
        args += ["--conformance-json", str(report)]
        started = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
        wall = time.perf_counter() - started
        data = json.loads(report.read_text())
    return {
        "exit_status": proc.returncode,
        "wall_seconds": round(wall, 2),
        "scenarios_not_run": data["summary"]["failed"],
        "errors": data["summary"]["errors"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.pop("PYTEST_ADDOPTS", None)
    found = {"pytest_startup": startup(args.runs), "not_an_app_server": not_an_app_server()}
    start = found["pytest_startup"]
    print(
        f"pytest start-up, median of {start['runs']}: {start['with_kit_cpu_s']} s CPU with the "
        f"kit's entry point, {start['without_kit_cpu_s']} s without: +{start['added_cpu_s']} s, "
        f"ratio {start['ratio']}"
    )
    sleeper = found["not_an_app_server"]
    print(
        f"`sleep 600` as the server, -n 2, whole catalog: a verdict in "
        f"{sleeper['wall_seconds']} s (exit {sleeper['exit_status']}, "
        f"{sleeper['errors']} error, {sleeper['scenarios_not_run']} scenarios not run)"
    )
    if args.json:
        args.json.write_text(json.dumps(found, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
