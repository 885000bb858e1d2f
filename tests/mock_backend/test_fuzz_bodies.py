"""Fuzz every route of the route table with hostile bodies, and the model endpoint's
websocket with hostile frames: random JSON, bodies nested far too deep, numbers far too
long or out of range, NaN, forms, bytes that are not text, content encodings that do
not decode. Whatever comes, the answer is never a 5xx the mock did not mean (an
injected fault or a scripted outcome says so), never a traceback, always strict JSON
when it is JSON; and the tenant still works afterwards.

Fixed seeds and bounded counts keep these reproducible and quick (a few seconds on
two cores); the schemathesis test next door fuzzes the documented shapes instead.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import re
import string
from collections.abc import Iterator
from urllib.parse import quote

import aiohttp
import pytest
from backports import zstd

from mock_backend import BackendConfig, BackendThread
from mock_backend.app import ALL_ROUTES
from mock_backend.json_limits import MAX_DEPTH, MAX_NUMBER_CHARS
from mock_backend.routes import Route
from mock_backend.tenant_handle import MockTenant
from tests.support.strict_json import strict_loads

from .conftest import DeviceClient

HTTP_SEED, HTTP_COUNT = 20261216, 3000
WS_SEED, WS_COUNT = 16, 1500
#: Field names the routes read, so that random objects sometimes look almost right.
WORDS = [
    "client_id",
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "token",
    "user_code",
    "device_auth_id",
    "decision",
    "email",
    "name",
    "plan_type",
    "account_id",
    "outcome",
    "count",
    "persona",
    "route",
    "kind",
    "status",
    "seconds",
    "interval",
    "models",
    "text",
    "stream",
    "tool_call",
    "arguments",
    "input",
    "type",
    "model",
    "previous_response_id",
    "generate",
    "role",
    "content",
    "when",
    "repeat",
    "jsonrpc",
    "method",
    "id",
    "params",
]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[MockTenant]:
    with BackendThread(BackendConfig(proxy=False, body_timeout=5)) as backend:
        yield MockTenant.of(backend.tenant("fuzz"))


class Bodies:
    """Hostile bodies from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def text(self) -> str:
        alphabet = string.printable + "éü中\u2028\x00\ud7ff"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(12)))

    def number(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                str(rng.randrange(-(10**6), 10**6)),
                "9" * rng.choice([MAX_NUMBER_CHARS, MAX_NUMBER_CHARS + 1, 4300, 4301, 5000]),
                "-" + "1" * rng.randrange(1, 300),
                rng.choice(["1e400", "-1e400", "1e-400", "1.5e308", "0.1e309"]),
                rng.choice(["NaN", "Infinity", "-Infinity"]),
                f"{rng.random()}e{rng.randrange(-400, 400)}",
            ]
        )

    def value(self, depth: int = 0) -> str:
        """A JSON document as text (so that it can hold what json.dumps would not)."""
        rng = self.rng
        pick = rng.randrange(10 if depth < 5 else 6)
        if pick == 0:
            return self.number()
        if pick in (1, 2):
            return json.dumps(rng.choice([self.text(), rng.choice(WORDS)]))
        if pick == 3:
            return rng.choice(["true", "false", "null", "{}", "[]"])
        if pick in (4, 5):
            return json.dumps(rng.choice(["run: ls", "response.create", "approve", "approved"]))
        if pick in (6, 7):
            items = [
                f"{json.dumps(rng.choice(WORDS))}: {self.value(depth + 1)}"
                for _ in range(rng.randrange(5))
            ]
            return "{" + ", ".join(items) + "}"
        return "[" + ", ".join(self.value(depth + 1) for _ in range(rng.randrange(4))) + "]"

    def nested(self) -> str:
        rng = self.rng
        depth = rng.choice([MAX_DEPTH, MAX_DEPTH + 1, 500, 960, 1000, 5000, 20_000])
        opener, closer = rng.choice([("[", "]"), ('{"a": ', "}"), ('[{"input": ', "}]")])
        return opener * depth + self.value(5) + closer * depth

    def body(self) -> tuple[bytes, dict[str, str]]:
        """Bytes and the headers that label them."""
        rng = self.rng
        kind = rng.randrange(8)
        if kind in (0, 1):
            data = self.value().encode("utf-8", "surrogatepass")
        elif kind in (2, 3):
            data = self.nested().encode()
        elif kind == 4:
            data = ('{"input": [' + self.number() + "], " + '"client_id": 1}').encode()
        elif kind == 5:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        elif kind == 6:
            pairs = [
                f"{quote(rng.choice(WORDS))}={quote(self.text(), safe='%&=')}"
                for _ in range(rng.randrange(6))
            ]
            return "&".join(pairs).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            data = b""
        headers = {"Content-Type": rng.choice(["application/json", "text/plain", ""])}
        encoding = rng.randrange(10)
        if encoding == 0:
            data, headers["Content-Encoding"] = zstd.compress(data), "zstd"
        elif encoding == 1:
            data, headers["Content-Encoding"] = gzip.compress(data, mtime=0), "gzip"
        elif encoding == 2:
            headers["Content-Encoding"] = rng.choice(["zstd", "gzip", "deflate"])  # a lie
        return data, headers


def _path(route: Route, rng: random.Random) -> str:
    def param(_: re.Match[str]) -> str:
        return quote(rng.choice(["ABCD-EFGH", "x", "..", "%00", "é" * 3, "9" * 50]), safe="")

    return "/t/fuzz" + re.sub(r"\{[^}]*\}", param, route.path)


def _check(status: int, content_type: str, text: str, where: str) -> None:
    assert "Traceback" not in text and "Server got itself in trouble" not in text, where
    if status >= 500:
        assert "injected" in text or "scripted" in text, where
    if content_type.startswith("application/json"):
        strict_loads(text)
    elif status != 202:
        assert content_type.startswith(("text/html", "text/event-stream")), (where, status, text)


async def _one(
    session: aiohttp.ClientSession, base: str, route: Route, bodies: Bodies
) -> tuple[int, str]:
    rng = bodies.rng
    method = route.method if route.method != "*" else rng.choice(["GET", "POST", "DELETE"])
    data, headers = bodies.body()
    if rng.randrange(4) == 0:
        headers["Authorization"] = rng.choice(["Bearer ", "Bearer a.b.c", "Basic ?", "x"])
    if rng.randrange(8) == 0:
        headers["x-codex-turn-metadata"] = bodies.value()[:4000]
    query = f"?since={rng.choice(['1', '-1', '9' * 5000, 'x'])}" if rng.randrange(6) == 0 else ""
    url = base + _path(route, rng) + query
    where = f"{method} {url[:120]} {headers} {data[:120]!r}"
    try:
        async with session.request(method, url, data=data, headers=headers) as reply:
            text = await reply.text(errors="replace")
            _check(reply.status, reply.headers.get("Content-Type", ""), text, where)
            return reply.status, text
    except aiohttp.ClientError as exc:
        raise AssertionError(f"{where}: {exc!r}") from exc


def _tenant_still_works(tenant: MockTenant) -> None:
    control = tenant.control
    control.request("DELETE", "/faults")  # the fuzzer may have injected some, on purpose
    control.request("DELETE", "/script")
    control.settings(interval=0, enforce_interval=False)
    control.model_settings(websocket="accept", auth="flag")
    tokens = DeviceClient(tenant).login(email="after@example.com")
    assert tokens["access_token"]
    journal = control.request("GET", "/journal")
    assert journal["kept"] == len(journal["entries"])
    login = [(e["route"], e["status"]) for e in journal["entries"][-3:]]
    assert login == [("usercode", 200), ("device_token", 200), ("oauth_token", 200)]
    model = control.request("GET", "/model/requests")
    assert model["kept"] == len(model["requests"]) and model["dropped"] >= 0
    tenants = control.tenants()
    assert "fuzz" in tenants["tenants"] and tenants["tenant_count"] == len(tenants["tenants"])


async def test_hostile_bodies_on_every_route(fuzzed: MockTenant) -> None:
    rng = random.Random(HTTP_SEED)
    bodies = Bodies(rng)
    base = fuzzed.ready.issuer.split("/t/", 1)[0]
    plan = [rng.choice(ALL_ROUTES) for _ in range(HTTP_COUNT)]
    assert {r.id for r in plan} == {r.id for r in ALL_ROUTES}  # every route is fuzzed
    limit = asyncio.Semaphore(8)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def bounded(route: Route) -> tuple[int, str]:
            async with limit:
                return await _one(session, base, route, bodies)

        answers = await asyncio.gather(*(bounded(route) for route in plan))
    # The fuzzer reached the routes and the limits, not only a door in front of them.
    statuses = {status for status, _ in answers}
    assert {200, 400, 404, 405, 413, 415} <= statuses, statuses
    refused = [text for status, text in answers if status == 400]
    assert sum(f"{MAX_DEPTH} levels" in text for text in refused) > 100
    assert sum(f"{MAX_NUMBER_CHARS} characters" in text for text in refused) > 20
    assert sum("does not decode" in text for text in refused) > 20
    await asyncio.to_thread(_tenant_still_works, fuzzed)


def _frames(rng: random.Random) -> Iterator[tuple[str, str | bytes]]:
    """(what is expected back, the frame): an error frame, a whole answer, or nothing."""
    bodies = Bodies(rng)
    for _ in range(WS_COUNT):
        kind = rng.randrange(6)
        if kind == 0:
            yield "error", bytes(rng.randrange(256) for _ in range(rng.randrange(32)))
        elif kind == 1:
            yield "error", bodies.nested()
        elif kind == 2:
            number = bodies.number()  # most are beyond the limits, some are fine
            yield "either", '{"type": "response.create", "input": [' + number + "]}"
        elif kind == 3:
            yield "either", bodies.value()
        elif kind == 4:
            yield "nothing", '{"type": "response.processed"}'
        else:
            items = [{"type": "message", "role": "user", "content": bodies.text()}]
            frame = {"type": "response.create", "model": "mock-model", "input": items}
            yield "answer", json.dumps(frame)


async def _answer_to(ws: aiohttp.ClientWebSocketResponse) -> str:
    """Read frames until an error frame or the end of a response."""
    while True:
        message = await ws.receive(timeout=10)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        frame = strict_loads(message.data)
        kind = frame.get("type")
        if kind == "error":
            assert frame["status"] < 500 and frame["error"]["message"], frame
            return "error"
        if kind in ("response.completed", "response.failed"):
            return "answer"


async def test_hostile_websocket_frames(fuzzed: MockTenant) -> None:
    minted = fuzzed.control.mint_tokens(email="ws@example.com")
    url = fuzzed.ready.issuer + "/backend-api/codex/responses"
    headers = {"Authorization": f"Bearer {minted['access_token']}"}
    rng = random.Random(WS_SEED)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers=headers, max_msg_size=0) as ws,
    ):
        for expected, frame in _frames(rng):
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_str(frame)
            if expected == "nothing":
                continue
            got = await _answer_to(ws)
            assert expected in (got, "either"), (expected, got, str(frame)[:200])
        await ws.send_str(json.dumps({"type": "response.create", "input": [], "model": "m"}))
        assert await _answer_to(ws) == "answer"
        assert not ws.closed
    await asyncio.to_thread(_tenant_still_works, fuzzed)
