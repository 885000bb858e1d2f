"""Fuzz the reference server's input, over stdio and over the websocket, with hostile
lines from one seeded generator (:mod:`.hostile_lines`).

Whatever comes, the process stays up; every line it writes is strict JSON (no ``NaN``,
no ``Infinity``) and a JSON-RPC message; every error has an integer ``code`` and a
string ``message``; an answer carries an id the fuzzer sent on a request, or ``null``;
stderr never shows a traceback; and afterwards the server still answers a proper
``initialize`` and ``account/read`` (judged by the kit's own judge against the 0.163.0
bundle) and ends cleanly when stdin closes. Over the websocket the connection stays open
(the only documented close, 1009, is for a message over 64 MiB, which is not sent here)
and a fresh connection is served afterwards.

The garbage goes over raw pipes and a raw websocket (:mod:`.raw_server`): the kit's
client sends text only and judges answers by the ids of its own requests. The kit judges
what follows: the proper answers (its judge) and the fresh connection (its websocket
client and session). Every backend address the server could call points at a loopback
port that refuses connections, so nothing leaves the machine whatever the garbage asks
for. Fixed seeds and bounded counts keep this reproducible and quick (a few seconds).
"""

from __future__ import annotations

import asyncio
import json
import queue
import signal
import time
from pathlib import Path
from random import Random
from typing import Any

import aiohttp

from conformance.bundles import vendored
from conformance.judge import Judge
from conformance.session import Session
from conformance.transport import WebSocketTransport
from tests.support.strict_json import strict_loads

from .conftest import REFERENCE
from .hostile_lines import HostileLines, is_request_id
from .raw_server import TIMEOUT, TRACEBACK, RawServer, dead_backend

STDIO_SEED, STDIO_COUNT, HUGE_LINES = 20261216, 4000, 3
WS_SEED, WS_COUNT = 1616, 400
INITIALIZE = {"clientInfo": {"name": "fuzz", "version": "1"}}
Message = dict[str, Any]


def check(raw: bytes | str, request_ids: set[str | int]) -> Message:
    """One line the server wrote: a JSON-RPC message, and an answer only to what was asked."""
    message = strict_loads(raw)
    assert isinstance(message, dict), raw[:200]
    assert message.get("jsonrpc", "2.0") == "2.0", message
    if "method" in message:  # a notification or a server request
        assert isinstance(message["method"], str), message
        assert "id" not in message or is_request_id(message["id"]), message
        return message
    assert ("result" in message) != ("error" in message), message
    error = message.get("error", {"code": 0, "message": ""})
    assert isinstance(error, dict), message
    assert type(error.get("code")) is int and isinstance(error.get("message"), str), message
    answered = message["id"]
    assert answered is None or (is_request_id(answered) and answered in request_ids), message
    return message


class Answers:
    """What came back, each line checked as it is taken in."""

    def __init__(self, request_ids: set[str | int]) -> None:
        self.request_ids = request_ids
        self.messages: list[Message] = []

    def take(self, raw: bytes | str) -> Message:
        message = check(raw, self.request_ids)
        self.messages.append(message)
        return message

    def errors(self, fragment: str) -> int:
        return sum(fragment in m["error"]["message"] for m in self.messages if "error" in m)


def stdio_answer(server: RawServer, answers: Answers, request_id: str) -> Message:
    deadline = time.monotonic() + TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        try:
            raw = server.lines.get(timeout=left)
        except queue.Empty:
            break
        assert raw is not None, f"stdout ended awaiting {request_id}:\n{server.stderr_tail()}"
        message = answers.take(raw)
        if "method" not in message and message["id"] == request_id:
            return message
    raise AssertionError(f"no answer to {request_id} in {TIMEOUT} s:\n{server.stderr_tail()}")


def request(method: str, request_id: str, params: Any) -> Message:
    return {"id": request_id, "method": method, "params": params}


def judged(exchange: list[tuple[Message, Message]]) -> list[str]:
    """What the kit's judge finds wrong with these requests and answers (0.163.0 bundle)."""
    judge = Judge(vendored("0.163.0"))
    for sent, answer in exchange:
        judge.outgoing(sent, sent["method"], None)
        judge.received(answer, sent["method"])
    return [str(problem) for problem in judge.all_problems()]


def check_handshake(answer: Message, answers: Answers) -> None:
    """Ours succeeds, unless garbage made a valid ``initialize`` first (before the
    handshake nothing else can succeed): then it is refused as a second one."""
    if any("result" in m and m["id"] != "proper-initialize" for m in answers.messages):
        assert "Already initialized" in answer["error"]["message"], answer
    else:
        assert answer["result"]["userAgent"], answer


#: What a fuzz of 1000 lines must at least bring back (about a third of what it does).
REACHED_PER_1000 = {
    "nested deeper than 128 levels": 15,
    "a number longer than 64 characters": 40,
    "a string or a 64-bit integer": 50,
    "Not initialized": 10,
    "missing field": 20,
    "unknown variant": 10,
    "invalid type": 5,
}


def assert_reached_the_rules(answers: Answers, count: int) -> None:
    """The fuzzer got past the door: each limit refused lines, handlers parsed params,
    and some garbage came close enough to be served."""
    for fragment, rate in REACHED_PER_1000.items():
        assert answers.errors(fragment) >= rate * count // 1000, (
            fragment,
            answers.errors(fragment),
        )
    assert sum("result" in m for m in answers.messages) >= 10 * count // 1000


def test_hostile_lines_on_stdio(tmp_path: Path) -> None:
    lines = HostileLines(Random(STDIO_SEED))
    # The first line goes the fast-start way: an initialize with garbage params.
    first = lines.envelope("initialize").encode()
    before = [lines.line() for _ in range(STDIO_COUNT // 3)]
    after = [lines.line() for _ in range(STDIO_COUNT - len(before))]
    for _ in range(HUGE_LINES):
        after.insert(lines.rng.randrange(len(after)), lines.huge())
    proper_init = request("initialize", "proper-initialize", INITIALIZE)
    proper_read = request("account/read", "proper-read", {})
    answers = Answers({*lines.request_ids, "proper-initialize", "proper-read"})
    with dead_backend() as (env, overrides):
        server = RawServer([*REFERENCE, *overrides], env, tmp_path)
        try:
            server.write([first, *before])
            server.write([json.dumps(proper_init).encode()])
            init_answer = stdio_answer(server, answers, "proper-initialize")
            check_handshake(init_answer, answers)
            server.write([b'{"method": "initialized"}', *after, json.dumps(proper_read).encode()])
            read_answer = stdio_answer(server, answers, "proper-read")
            assert read_answer["result"]["requiresOpenaiAuth"] is True, read_answer
            assert server.end_input() == 0, server.stderr_tail()
            while (raw := server.lines.get(timeout=TIMEOUT)) is not None:
                answers.take(raw)
        finally:
            server.kill()
    assert TRACEBACK not in server.stderr, server.stderr_tail()
    assert_reached_the_rules(answers, STDIO_COUNT)
    assert judged([(proper_init, init_answer), (proper_read, read_answer)]) == []


async def ws_answer(
    ws: aiohttp.ClientWebSocketResponse, answers: Answers, request_id: str, server: RawServer
) -> Message:
    try:
        while True:
            frame = await ws.receive(timeout=TIMEOUT)
            assert frame.type is aiohttp.WSMsgType.TEXT, (frame, server.stderr_tail())
            message = answers.take(frame.data)
            if "method" not in message and message["id"] == request_id:
                return message
    except TimeoutError:
        raise AssertionError(f"no answer to {request_id}:\n{server.stderr_tail()}") from None


async def ws_send(ws: aiohttp.ClientWebSocketResponse, messages: list[bytes]) -> None:
    """Text frames; what is not UTF-8 goes as a binary frame (which the server ignores)."""
    for data in messages:
        try:
            text = data.decode()
        except UnicodeDecodeError:
            await ws.send_bytes(data)
        else:
            await ws.send_str(text)


def fresh_connection(url: str) -> list[str]:
    """A new connection through the kit's own client: the handshake, then ``account/read``;
    what the kit's judge found wrong with them."""
    session = Session(WebSocketTransport(url), vendored("0.163.0"))
    try:
        assert "result" in session.handshake("fresh", False, TIMEOUT)
        answer = session.response(session.request("account/read", {}), TIMEOUT)
        assert answer["result"]["requiresOpenaiAuth"] is True, answer
        return [str(problem) for problem in session.all_problems()]
    finally:
        session.close()


async def test_hostile_messages_on_the_websocket(tmp_path: Path) -> None:
    lines = HostileLines(Random(WS_SEED))
    before = [lines.line() for _ in range(WS_COUNT // 3)]
    after = [lines.line() for _ in range(WS_COUNT - len(before))]
    after.insert(lines.rng.randrange(len(after)), lines.huge())
    proper_init = request("initialize", "proper-initialize", INITIALIZE)
    proper_read = request("account/read", "proper-read", {})
    answers = Answers({*lines.request_ids, "proper-initialize", "proper-read"})
    with dead_backend() as (env, overrides):
        argv = [*REFERENCE, *overrides, "--listen", "ws://127.0.0.1:0"]
        server = RawServer(argv, env, tmp_path)
        try:
            url = await asyncio.to_thread(server.listening)
            async with (
                aiohttp.ClientSession() as client,
                client.ws_connect(url, max_msg_size=0) as ws,
            ):
                await ws_send(ws, [*before, json.dumps(proper_init).encode()])
                init_answer = await ws_answer(ws, answers, "proper-initialize", server)
                check_handshake(init_answer, answers)
                await ws_send(ws, [b'{"method": "initialized"}', *after])
                await ws_send(ws, [json.dumps(proper_read).encode()])
                read_answer = await ws_answer(ws, answers, "proper-read", server)
                assert read_answer["result"]["requiresOpenaiAuth"] is True, read_answer
                assert not ws.closed and ws.close_code is None
            assert await asyncio.to_thread(fresh_connection, url) == []
            server.proc.send_signal(signal.SIGINT)  # Ctrl-C: the way a listener is stopped
            assert await asyncio.to_thread(server.proc.wait, TIMEOUT) == 0, server.stderr_tail()
        finally:
            server.kill()
    assert TRACEBACK not in server.stderr, server.stderr_tail()
    assert_reached_the_rules(answers, WS_COUNT)
    assert judged([(proper_init, init_answer), (proper_read, read_answer)]) == []
