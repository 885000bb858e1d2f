"""Reference server vs the real codex 0.163.0, side by side in one run (not a test).

Spawn → ``initialize`` reply, and ``account/read`` round trips after it, medians over
N spawns, with the ratio ours / real (lower is better; the target is ≤ 1.0, the
floor 1.5).

    .venv/bin/python benchmarks/bench_reference_server.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

INIT = b'{"id":1,"method":"initialize","params":{"clientInfo":{"name":"bench","version":"1"}}}\n'
READ = b'{"id":%d,"method":"account/read","params":{}}\n'


class Lines:
    """Line reader over a raw pipe: select() never waits on data already buffered."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def next(self) -> bytes:
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.fd], [], [], 30)
            if not ready:
                raise TimeoutError("no reply within 30 s")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise RuntimeError("server exited")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _read_reply(lines: Lines, want_id: int) -> None:
    while True:
        message = json.loads(lines.next())
        if message.get("id") == want_id:
            return


def measure(argv: list[str], reads: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    with tempfile.TemporaryDirectory() as home:
        env["CODEX_HOME"] = home
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            bufsize=0,
        )
        assert proc.stdin is not None and proc.stdout is not None
        lines = Lines(proc.stdout.fileno())
        try:
            proc.stdin.write(INIT)
            proc.stdin.flush()
            _read_reply(lines, 1)
            init = time.perf_counter() - started
            proc.stdin.write(b'{"method":"initialized"}\n')
            samples = []
            for i in range(reads):
                t = time.perf_counter()
                proc.stdin.write(READ % (i + 2))
                proc.stdin.flush()
                _read_reply(lines, i + 2)
                samples.append(time.perf_counter() - t)
        finally:
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
    return init, statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from conformance.releases import codex_binary

    servers = {
        "real 0.163.0": [str(codex_binary("0.163.0")), "app-server"],
        "reference": [sys.executable, "-m", "reference_server", "app-server"],
    }
    results: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in servers}
    for _ in range(args.runs):  # interleaved, so both see the same machine load
        for name, argv in servers.items():
            try:
                init, read = measure(argv, 20)
            except (TimeoutError, RuntimeError) as exc:
                raise SystemExit(f"{name}: {exc}") from exc
            results[name][0].append(init)
            results[name][1].append(read)
    medians = {k: (statistics.median(v[0]), statistics.median(v[1])) for k, v in results.items()}
    real, ours = medians["real 0.163.0"], medians["reference"]
    print("| measure | real 0.163.0 | reference | ratio ours/real |")
    print("| --- | --- | --- | --- |")
    print(
        f"| spawn → initialize | {real[0] * 1000:.1f} ms | {ours[0] * 1000:.1f} ms | "
        f"{ours[0] / real[0]:.2f}x |"
    )
    print(
        f"| account/read | {real[1] * 1000:.2f} ms | {ours[1] * 1000:.2f} ms | "
        f"{ours[1] / real[1]:.2f}x |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
