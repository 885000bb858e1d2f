"""A text turn's time to its first ``item/agentMessage/delta``: reference server vs the
real codex 0.163.0, side by side in one run against the same mock backend (not a test).

Both are signed in with tokens the mock minted and attached through its proxy, and the
mock refuses the model websocket with 426, so both talk HTTP + SSE (the real binary
tries the websocket first, gets 426 and stays on HTTP; the reference server has no
websocket). Each run starts a fresh server: ``thread/start``, then a first turn (cold:
its TLS connection to the backend is new) and ``--turns`` more (warm). The answer is a
scripted 20-word reply streamed as 20 deltas. The servers alternate, so both see the
same machine load; medians, and the ratio ours / real (target ≤ 1.2).

    .venv/bin/python benchmarks/bench_turn.py [--runs 7] [--turns 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_reference_server import Lines  # noqa: E402

ANSWER = " ".join(f"word{n}" for n in range(20))


class Server:
    """One app-server process on JSON lines, spoken to without the kit's checks (the
    checks cost time, and this measures the server)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            bufsize=0,
        )
        assert self.proc.stdout is not None
        self.lines = Lines(self.proc.stdout.fileno())
        self.next_id = 1

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def until(self, test: Any) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(self.lines.next())
            if test(message):
                return message

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def signed_in_home(tenant: Any, home: Path) -> None:
    from mock_backend.auth_file import write_auth_json

    minted = tenant.control.mint_tokens(email="bench@example.com", plan_type="pro")
    write_auth_json(home, minted)


def one_run(argv: list[str], tenant: Any, turns: int) -> list[float]:
    """Seconds from ``turn/start`` to the first delta: the cold turn, then the warm ones."""
    from mock_backend.model_handle import MockModel

    model = MockModel(tenant.control)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        signed_in_home(tenant, home)
        env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
        env.update(tenant.proxy_env())
        env["CODEX_HOME"] = str(home)
        env["RUST_LOG"] = "warn"
        server = Server(argv, env)
        try:
            init = {"clientInfo": {"name": "bench", "version": "1"}}
            sent = server.request("initialize", init)
            server.until(lambda m: m.get("id") == sent)
            server.send({"method": "initialized"})
            sent = server.request("thread/start", {"cwd": str(home)})
            thread_id = server.until(lambda m: m.get("id") == sent)["result"]["thread"]["id"]
            times = []
            for _ in range(turns + 1):
                model.respond({"text": ANSWER, "stream": True})
                text = [{"type": "text", "text": "go"}]
                started = time.perf_counter()
                server.request("turn/start", {"threadId": thread_id, "input": text})
                server.until(lambda m: m.get("method") == "item/agentMessage/delta")
                times.append(time.perf_counter() - started)
                server.until(lambda m: m.get("method") == "turn/completed")
            return times
        finally:
            server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--turns", type=int, default=5, help="warm turns per run")
    args = parser.parse_args()
    from conformance.releases import codex_binary
    from mock_backend.config import BackendConfig
    from mock_backend.tenant_handle import MockTenant
    from mock_backend.thread_runner import BackendThread

    servers = {
        "real 0.163.0": [str(codex_binary("0.163.0")), "app-server"],
        "reference": [sys.executable, "-m", "reference_server", "app-server"],
    }
    cold: dict[str, list[float]] = {name: [] for name in servers}
    warm: dict[str, list[float]] = {name: [] for name in servers}
    with BackendThread(BackendConfig()) as backend:
        tenant = MockTenant.of(backend.tenant("bench-turn"))
        tenant.control.model_settings(websocket="426")
        for _ in range(args.runs):
            for name, argv in servers.items():
                times = one_run(argv, tenant, args.turns)
                cold[name].append(times[0])
                warm[name] += times[1:]
    real, ours = "real 0.163.0", "reference"
    print("| first delta after turn/start | real 0.163.0 | reference | ratio ours/real |")
    print("| --- | --- | --- | --- |")
    for label, data in (("cold (first turn)", cold), ("warm (later turns)", warm)):
        a, b = statistics.median(data[real]), statistics.median(data[ours])
        print(f"| {label} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.2f}x |")
    print(f"\n{args.runs} runs, {args.turns} warm turns each; medians.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
