"""A JSON-RPC conversation with one server: sending, and receiving what is awaited.

Every line that goes out or comes in is recorded (``transcript``) and judged
(``judge``: JSON-RPC, the schema bundle, the protocol rules) without stopping the
conversation; what the judge finds is in ``problems`` and ``warnings``. Waiting for
something that never comes raises :class:`Stop` with what was awaited, the last
messages and the server's stderr tail.
"""

from __future__ import annotations

import json
import queue
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .judge import Judge
from .results import Failure, Kind, SchemaWarning
from .schema_check import SchemaCheck
from .transcript import Record, Transcript
from .transport import CLOSED, Transport, TransportError

Message = dict[str, Any]
MISSING: Any = object()


class Stop(Exception):
    """The conversation cannot go on; carries the failure that says why."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure))
        self.failure = failure


class Session:
    def __init__(self, transport: Transport, schema: SchemaCheck | None) -> None:
        """``schema`` None: no schema verdicts (JSON-RPC and the protocol rules still hold)."""
        self.transport = transport
        self.transcript = Transcript()
        self.judge = Judge(schema)
        self._unconsumed: list[Message] = []
        self._next_id = 0
        self._closed = False

    # What the judge and the transcript hold, as the runner and tests read it
    @property
    def problems(self) -> list[Failure]:
        return self.judge.problems

    @property
    def warnings(self) -> list[SchemaWarning]:
        return self.judge.warnings

    @property
    def validation_seconds(self) -> float:
        return self.judge.validation_seconds

    @property
    def records(self) -> deque[Record]:
        return self.transcript.records

    @property
    def message_count(self) -> int:
        return self.transcript.count

    def all_problems(self) -> list[Failure]:
        return self.judge.all_problems()

    # Sending
    def request(
        self,
        method: str,
        params: Any = MISSING,
        request_id: Any = MISSING,
        label: str | None = None,
    ) -> Any:
        if request_id is MISSING:
            self._next_id += 1
            request_id = self._next_id
        message: Message = {"id": request_id, "method": method}
        if params is not MISSING:
            message["params"] = params
        self._send(message, method, label)
        return request_id

    def notify(self, method: str, params: Any = MISSING) -> None:
        message: Message = {"method": method}
        if params is not MISSING:
            message["params"] = params
        self._send(message, method, None)

    def respond(self, request_id: Any, result: Any = MISSING, error: Any = MISSING) -> None:
        message: Message = {"id": request_id}
        if error is not MISSING:
            message["error"] = error
        else:
            message["result"] = result
        self._send(message, self.judge.answering(request_id), None)

    def send_raw(self, line: str, label: str = "deliberately malformed by the kit") -> None:
        self.judge.raw_sent(line)
        self.transcript.add("out", line, label)
        self._write(line)

    def _send(self, message: Message, method: str | None, label: str | None) -> None:
        text = json.dumps(message)
        self.judge.outgoing(message, method, label)
        self.transcript.add("out", text, label)
        self._write(text)

    def _write(self, text: str) -> None:
        try:
            self.transport.send_line(text)
        except TransportError as exc:
            raise Stop(self._failure("crash", str(exc))) from exc

    # Receiving
    def expect(self, predicate: Callable[[Message], bool], what: str, timeout: float) -> Message:
        """The first unconsumed message that ``predicate`` accepts, waiting up to ``timeout``;
        a JSON-RPC violation that leaves nothing worth awaiting stops the wait at once."""
        for index, message in enumerate(self._unconsumed):
            if predicate(message):
                return self._unconsumed.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            self._stop_if_violated()
            received = self._receive(deadline, what, timeout)
            if received is None:
                continue
            if predicate(received):
                return received
            self._unconsumed.append(received)

    def _stop_if_violated(self) -> None:
        """Raise the judge's stopping violation (the same failure, so it is reported once)."""
        failure = self.judge.stopping()
        if failure is not None:
            raise Stop(failure)

    def response(self, request_id: Any, timeout: float) -> Message:
        return self.expect(
            lambda m: "method" not in m and m.get("id") == request_id,
            f"the answer to {self.judge.requested(request_id)} (id {request_id})",
            timeout,
        )

    def drain(self, quiet: float = 0.05, limit: float = 1.0) -> None:
        """Take in what has arrived, until nothing comes for ``quiet`` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                item = self.transport.inbox.get(timeout=quiet)
            except queue.Empty:
                return
            if item is CLOSED:
                self._closed = True
                return
            message = self._ingest(str(item))
            if message is not None:
                self._unconsumed.append(message)

    def unconsumed(self) -> list[Message]:
        return list(self._unconsumed)

    def consume(self, message: Message) -> None:
        self._unconsumed.remove(message)

    def _receive(self, deadline: float, what: str, timeout: float) -> Message | None:
        if self._closed:
            raise Stop(self._failure("crash", f"the server ended while waiting for {what}"))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Stop(self._failure("hang", f"nothing after {timeout:g} s waiting for {what}"))
        try:
            item = self.transport.inbox.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            return None
        if item is CLOSED:
            self._closed = True
            time.sleep(0.05)  # let the exit status settle
            process = self.transport.process
            ended = process.describe_exit() if process else "a server the kit did not start"
            headline = f"the server closed its output ({ended}) while waiting for {what}"
            raise Stop(self._failure("crash", headline))
        return self._ingest(str(item))

    def _ingest(self, line: str) -> Message | None:
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self.transcript.add("in", line, "not a JSON-RPC message")
            self.judge.garbage(line)
            return None
        method = self.judge.method_of(message)
        self.transcript.add("in", line)
        self.judge.received(message, method)
        return message

    def handshake(self, client_name: str, experimental_api: bool, timeout: float) -> Message:
        """``initialize`` then ``initialized``; the answer as it came (result or error)."""
        params: Message = {"clientInfo": {"name": client_name, "version": "0.1.0"}}
        if experimental_api:
            params["capabilities"] = {"experimentalApi": True}
        reply = self.response(self.request("initialize", params), timeout)
        if "result" in reply:
            self.notify("initialized")
        return reply

    def _failure(self, kind: Kind, headline: str) -> Failure:
        context = self.transcript.context(self.transport.process)
        return Failure("server", kind, f"{headline}\n{context}")

    def close(self) -> None:
        self.transport.close()
