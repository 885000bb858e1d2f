"""Scripted model benchmarks, side by side in one run (not a test).

1. Scripted turns served per second, 16 concurrent clients, a 20-word answer streamed as
   20 deltas: over HTTP SSE and over the websocket, against ``python -m mock_backend
   serve``; and the same text turn over HTTP SSE against a peer LLM mock from PyPI,
   ``llmock`` (``POST /v1/responses``, ``--response-style echo`` answering 20 words).
2. Time to first event per turn (p50, p99), from sending the request to reading the
   first event: for a lone client doing turns back to back (the latency a turn sees), and
   under the 16-client load (where it is mostly waiting in line: 16 / turns per second).
3. Memory per queued scripted response (tracemalloc over 10,000 queued responses).

Servers run in their own processes on 127.0.0.1; every process started here is ended
on exit. The peer is installed into the venv (``pip install llmock``), not as a project
dependency.

    .venv/bin/python benchmarks/bench_model.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mock_backend import free_port, process

CLIENTS = 16
#: 17 words: llmock's echo style answers "Hello! You said: <prompt>", 20 words in all.
PROMPT = (
    "please tell me a short story about seven quiet foxes crossing a frozen river at dawn today"
)
ANSWER = "Hello! You said: " + PROMPT
PEER = "llmock"


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


BODY = {"model": "mock-model", "stream": True, "input": [user(PROMPT)]}

Turn = Callable[[], Awaitable[tuple[float, int]]]


async def _drive(
    make_turn: Callable[[Any], Awaitable[Turn]], seconds: float, clients: int = CLIENTS
) -> dict[str, float]:
    """Clients doing turns back to back for ``seconds``; turns/s and first-event times."""
    import aiohttp

    firsts: list[float] = []
    deltas: list[int] = []
    async with aiohttp.ClientSession() as session:
        turns = [await make_turn(session) for _ in range(clients)]
        for turn in turns:  # warm up every connection
            await turn()
        deadline = time.monotonic() + seconds
        started = time.perf_counter()

        async def worker(turn: Turn) -> None:
            while time.monotonic() < deadline:
                first, count = await turn()
                firsts.append(first)
                deltas.append(count)

        await asyncio.gather(*(worker(t) for t in turns))
        elapsed = time.perf_counter() - started
    firsts.sort()
    return {
        "turns_per_s": len(firsts) / elapsed,
        "turns": len(firsts),
        "first_event_p50_ms": statistics.median(firsts) * 1000,
        "first_event_p99_ms": firsts[int(len(firsts) * 0.99)] * 1000,
        "deltas_per_turn": statistics.mean(deltas),
    }


def _sse_turn(url: str) -> Callable[[Any], Awaitable[Turn]]:
    async def make(session: Any) -> Turn:
        async def turn() -> tuple[float, int]:
            sent = time.perf_counter()
            first = 0.0
            count = 0
            done = False
            async with session.post(url, json=BODY) as response:
                assert response.status == 200, await response.text()
                async for line in response.content:
                    if not line.startswith(b"data: "):
                        continue
                    if not first:
                        first = time.perf_counter() - sent
                    event = json.loads(line[6:])
                    count += event["type"] == "response.output_text.delta"
                    done = done or event["type"] == "response.completed"
            assert done, "the stream ended before response.completed"
            return first, count

        return turn

    return make


def _ws_turn(url: str) -> Callable[[Any], Awaitable[Turn]]:
    async def make(session: Any) -> Turn:
        ws = await session.ws_connect(url)
        frame = json.dumps({"type": "response.create", **BODY})

        async def turn() -> tuple[float, int]:
            sent = time.perf_counter()
            await ws.send_str(frame)
            first = 0.0
            count = 0
            while True:
                event = json.loads((await ws.receive()).data)
                if not first:
                    first = time.perf_counter() - sent
                count += event["type"] == "response.output_text.delta"
                if event["type"] == "response.completed":
                    return first, count

        return turn

    return make


async def _script(base: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        form = {"text": ANSWER, "stream": True, "repeat": 10_000}
        async with session.post(f"{base}/_mock/model/responses", json=form) as response:
            assert response.status == 201, await response.text()


def ours(seconds: float) -> dict[str, dict[str, float]]:
    port = free_port()
    argv = [sys.executable, "-m", "mock_backend", "serve", "--no-proxy", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/backend-api/codex/responses"
    with process(argv, port):
        results = {}
        for name, make in (("http_sse", _sse_turn(url)), ("websocket", _ws_turn(url))):
            asyncio.run(_script(base))
            results[name] = asyncio.run(_drive(make, seconds))
            results[f"{name}_lone"] = asyncio.run(_drive(make, seconds / 2, clients=1))
    return results


def peer(seconds: float) -> dict[str, dict[str, float]]:
    binary = shutil.which(PEER, path=str(Path(sys.executable).parent))
    if binary is None:
        raise SystemExit(f"the peer is missing: {sys.executable} -m pip install {PEER}")
    port = free_port()
    argv = [
        binary,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--response-style",
        "echo",
        "--log-level",
        "warning",
    ]
    make = _sse_turn(f"http://127.0.0.1:{port}/v1/responses")
    with process(argv, port):
        return {
            "peer_http_sse": asyncio.run(_drive(make, seconds)),
            "peer_http_sse_lone": asyncio.run(_drive(make, seconds / 2, clients=1)),
        }


def memory_per_response(count: int = 10_000) -> dict[str, float]:
    from mock_backend.model.forms import ScriptedResponse
    from mock_backend.model.queue import ResponseQueue

    form = {"text": ANSWER, "stream": True}
    queue = ResponseQueue()
    queue.append(ScriptedResponse.model_validate(form))  # warm every lazy structure
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(count):
        # As the control API does: each response parsed from its own JSON body.
        queue.append(ScriptedResponse.model_validate(json.loads(json.dumps(form))))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    total = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return {"responses": count, "bytes_per_response": total / count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else 6.0
    mine = ours(seconds)
    results: dict[str, dict[str, float]] = {
        **mine,
        **peer(seconds),
        "memory": memory_per_response(),
    }
    h, w, p, m = (
        results["http_sse"],
        results["websocket"],
        results["peer_http_sse"],
        results["memory"],
    )
    print(f"| measure ({CLIENTS} clients, 20 deltas a turn) | ours | {PEER} / target | ratio |")
    print("| --- | --- | --- | --- |")
    for label, row in (("HTTP SSE", h), ("websocket", w)):
        print(
            f"| scripted turns/s, {label} | {row['turns_per_s']:.0f} | target 500 | "
            f"{row['turns_per_s'] / 500:.2f}x |"
        )
    print(
        f"| text turns/s, HTTP SSE, vs peer | {h['turns_per_s']:.0f} | "
        f"{PEER}: {p['turns_per_s']:.0f} | {h['turns_per_s'] / p['turns_per_s']:.2f}x |"
    )
    for key, label in (("http_sse", "HTTP SSE"), ("websocket", "websocket")):
        lone, loaded, peer_lone = (
            results[f"{key}_lone"],
            results[key],
            results["peer_http_sse_lone"],
        )
        versus = (
            f"{PEER} {peer_lone['first_event_p50_ms']:.2f} ms; target 5 ms"
            if key == "http_sse"
            else "target 5 ms"
        )
        print(
            f"| first event p50 / p99, {label}, lone client | "
            f"{lone['first_event_p50_ms']:.2f} / {lone['first_event_p99_ms']:.2f} ms | "
            f"{versus} | {5 / lone['first_event_p50_ms']:.2f}x headroom |"
        )
        print(
            f"| first event p50 / p99, {label}, under the {CLIENTS}-client load | "
            f"{loaded['first_event_p50_ms']:.2f} / {loaded['first_event_p99_ms']:.2f} ms | "
            f"{PEER} {p['first_event_p50_ms']:.2f} ms | (queueing: {CLIENTS} / turns per s) |"
        )
    print(
        f"| bytes per queued response ({m['responses']:.0f}) | {m['bytes_per_response']:.0f} | "
        f"target 2048 | {2048 / m['bytes_per_response']:.2f}x headroom |"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
