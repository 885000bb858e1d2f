"""Mock backend benchmarks, side by side in one run (not a test).

1. Token endpoint requests/s: our backend vs axa's ``oauth2-mock-server`` (npm), same
   request (``client_credentials`` with basic auth), same load generator (``wrk``).
2. Complete device flows/s (usercode -> poll -> token exchange) against our backend.
3. Memory per outstanding device code (tracemalloc over 10,000 codes).

Everything listens on 127.0.0.1 and every process started here is ended on exit.
Needs ``wrk`` (Debian) and Node's ``npm``; installs the peer into a cache folder.

    .venv/bin/python benchmarks/bench_mock_backend.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
PEER_VERSION = "9.3.0"
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=openid"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic Y2xpZW50OnNlY3JldA=="
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def process(argv: list[str], ready_port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", ready_port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"{argv[0]} did not listen on {ready_port}")
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


def peer_binary() -> Path:
    root = Path.home() / ".cache" / "codex-app-server-kit" / "peer"
    binary = root / "node_modules" / ".bin" / "oauth2-mock-server"
    if not binary.exists():
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--prefix",
                str(root),
                f"oauth2-mock-server@{PEER_VERSION}",
            ],
            check=True,
        )
    return binary


def wrk(url: str, seconds: int) -> float:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx answers from {url}:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def token_endpoint(seconds: int) -> dict[str, float]:
    ours_port, peer_port = free_port(), free_port()
    ours = [sys.executable, "-m", "mock_backend", "serve", "--no-proxy", "--port", str(ours_port)]
    peer = [str(peer_binary()), "-a", "127.0.0.1", "-p", str(peer_port)]
    with process(ours, ours_port), process(peer, peer_port):
        wrk(f"http://127.0.0.1:{ours_port}/oauth/token", 1)  # warm up
        wrk(f"http://127.0.0.1:{peer_port}/token", 1)
        ours_rps = wrk(f"http://127.0.0.1:{ours_port}/oauth/token", seconds)
        peer_rps = wrk(f"http://127.0.0.1:{peer_port}/token", seconds)
    return {"ours_rps": ours_rps, "peer_rps": peer_rps, "ratio": ours_rps / peer_rps}


async def _flows(base: str, seconds: float, workers: int) -> list[float]:
    import aiohttp

    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        async with session.put(f"{base}/_mock/settings", json={"interval": 0}) as r:
            assert r.status == 200
        async with session.put(f"{base}/_mock/script", json={"outcome": "approved"}) as r:
            assert r.status == 200

        async def worker() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                async with session.post(
                    f"{base}/api/accounts/deviceauth/usercode", json={"client_id": CLIENT_ID}
                ) as r:
                    code = await r.json()
                async with session.post(
                    f"{base}/api/accounts/deviceauth/token",
                    json={"device_auth_id": code["device_auth_id"], "user_code": code["user_code"]},
                ) as r:
                    grant = await r.json()
                form = {
                    "grant_type": "authorization_code",
                    "code": grant["authorization_code"],
                    "redirect_uri": f"{base}/deviceauth/callback",
                    "client_id": CLIENT_ID,
                    "code_verifier": grant["code_verifier"],
                }
                async with session.post(f"{base}/oauth/token", data=form) as r:
                    assert r.status == 200, await r.text()
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(workers)))
    return latencies


def device_flows(seconds: float) -> dict[str, float]:
    port = free_port()
    argv = [sys.executable, "-m", "mock_backend", "serve", "--no-proxy", "--port", str(port)]
    with process(argv, port):
        latencies = asyncio.run(_flows(f"http://127.0.0.1:{port}", seconds, 16))
    latencies.sort()
    return {
        "flows_per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def memory_per_code(count: int = 10_000) -> dict[str, float]:
    from mock_backend.config import BackendConfig
    from mock_backend.state import Backend

    backend = Backend(BackendConfig())
    tenant = backend.tenant("default")
    backend.device.issue(tenant, CLIENT_ID)  # warm every lazy structure
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(count):
        backend.device.issue(tenant, CLIENT_ID)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    total = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return {"codes": count, "bytes_per_code": total / count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    seconds = 3 if args.quick else 10
    results = {
        "token_endpoint": token_endpoint(seconds),
        "device_flows": device_flows(seconds / 2),
        "memory": memory_per_code(),
    }
    t, f, m = results["token_endpoint"], results["device_flows"], results["memory"]
    print("| measure | ours | peer / target | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| token endpoint req/s (wrk -t2 -c32) | {t['ours_rps']:.0f} | "
        f"oauth2-mock-server {PEER_VERSION}: {t['peer_rps']:.0f} | "
        f"{t['ratio']:.2f}x (target 1.5x) |"
    )
    print(
        f"| device flows/s (16 clients) | {f['flows_per_s']:.0f} "
        f"(p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms) | target 500 | "
        f"{f['flows_per_s'] / 500:.2f}x |"
    )
    print(
        f"| bytes per outstanding code ({m['codes']:.0f} codes) | {m['bytes_per_code']:.0f} | "
        f"target < 1024 | {1024 / m['bytes_per_code']:.2f}x headroom |"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
