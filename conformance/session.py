"""A JSON-RPC conversation with one server, judged message by message.

Every line that goes out or comes in is recorded and validated against the schema
bundle, whatever its method; what the server does wrong on the way (a line that is not
JSON, a message the bundle rejects, an answer to an id never sent, ``account/updated``
before the login it reports has completed) is collected in ``problems`` without
stopping the conversation, and what it sends beyond the bundle (an undeclared field or
method) in ``warnings``. Waiting for something that never comes raises :class:`Stop`
with what was awaited, the last messages and the server's stderr tail.
"""

from __future__ import annotations

import json
import queue
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from .message_check import MessageCheck
from .ordering import LoginOrder
from .results import Failure, Kind, SchemaWarning
from .schema_check import SchemaCheck, SchemaSetError
from .transport import CLOSED, Transport, TransportError

Message = dict[str, Any]
Direction = Literal["out", "in"]
MISSING: Any = object()
MAX_RECORDS = 5000
MAX_GARBAGE_REPORTED = 5


class Stop(Exception):
    """The conversation cannot go on; carries the failure that says why."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure))
        self.failure = failure


@dataclass
class Record:
    direction: Direction
    at: float
    raw: str
    message: Message | None
    method: str | None = None
    label: str | None = None

    def short(self, width: int = 240) -> str:
        arrow = "→" if self.direction == "out" else "←"
        note = f"  ({self.label})" if self.label else ""
        text = self.raw if len(self.raw) <= width else self.raw[: width - 1] + "…"
        return f"{self.at:7.3f}s {arrow} {text}{note}"


class Session:
    def __init__(
        self,
        transport: Transport,
        schema: SchemaCheck | None,
        name: str = "server",
        extra_schemas: tuple[SchemaCheck, ...] = (),
    ) -> None:
        """``schema`` None: no schema verdicts (JSON-RPC and ordering rules still hold)."""
        self.transport = transport
        self.schema = schema
        self.extra_schemas = extra_schemas
        self.name = name
        # Bounded, so a server that floods its output cannot exhaust the kit's memory.
        self.records: deque[Record] = deque(maxlen=MAX_RECORDS)
        self.message_count = 0
        self._garbage_lines = 0
        self.problems: list[Failure] = []
        self.warnings: list[SchemaWarning] = []
        self._check = (
            MessageCheck(schema, extra_schemas, self.problems, self.warnings) if schema else None
        )
        self.validation_seconds = 0.0
        self._started = time.monotonic()
        self._unconsumed: list[Message] = []
        self._pending: dict[Any, str] = {}  # our request id -> method
        self._answered: set[Any] = set()
        self._server_requests: dict[Any, str] = {}
        self._next_id = 0
        self._closed = False
        self._logins = LoginOrder(lambda text: self._problem("ordering", text))

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
        self._pending[request_id] = method
        self._logins.sent(request_id, method, params)
        self._send(message, method, label)
        return request_id

    def notify(self, method: str, params: Any = MISSING) -> None:
        message: Message = {"method": method}
        if params is not MISSING:
            message["params"] = params
        self._send(message, method, None)

    def respond(self, request_id: Any, result: Any = MISSING, error: Any = MISSING) -> None:
        method = self._server_requests.pop(request_id, None)
        message: Message = {"id": request_id}
        if error is not MISSING:
            message["error"] = error
        else:
            message["result"] = result
        self._send(message, method, None)

    def send_raw(self, line: str, label: str = "deliberately malformed by the kit") -> None:
        self._record("out", line, None, None, label)
        self._write(line)

    def _send(self, message: Message, method: str | None, label: str | None) -> None:
        text = json.dumps(message)
        if label is None and method is not None and self._check is not None:
            started = time.perf_counter()
            try:
                self._check.outgoing(message, method)
            except SchemaSetError as exc:
                self.problems.append(Failure("environment", "setup", str(exc)))
            finally:
                self.validation_seconds += time.perf_counter() - started
        self._record("out", text, message, method, label)
        self._write(text)

    def _write(self, text: str) -> None:
        try:
            self.transport.send_line(text)
        except TransportError as exc:
            raise Stop(self._failure("crash", str(exc))) from exc

    # Receiving
    def expect(self, predicate: Any, what: str, timeout: float) -> Message:
        """The first unconsumed message that ``predicate`` accepts, waiting up to ``timeout``."""
        for index, message in enumerate(self._unconsumed):
            if predicate(message):
                return self._unconsumed.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            received = self._receive(deadline, what, timeout)
            if received is None:
                continue
            if predicate(received):
                return received
            self._unconsumed.append(received)

    def response(self, request_id: Any, timeout: float) -> Message:
        method = self._pending.get(request_id, "?")
        return self.expect(
            lambda m: "method" not in m and m.get("id") == request_id,
            f"the answer to {method} (id {request_id})",
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
            raise Stop(
                self._failure(
                    "crash",
                    f"the server closed its output ({self._exit()}) while waiting for {what}",
                )
            )
        return self._ingest(str(item))

    def _ingest(self, line: str) -> Message | None:
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            self._record("in", line, None, None, "not a JSON-RPC message")
            self._garbage_lines += 1
            if self._garbage_lines <= MAX_GARBAGE_REPORTED:
                shown = line if len(line) <= 120 else line[:119] + "…"
                self._problem("garbage", f"stdout line is not a JSON-RPC message: {shown!r}")
            return None
        method = self._classify(message)
        self._record("in", line, message, method, None)
        self._judge(message, method)
        return message

    # Judging
    def _classify(self, message: Message) -> str | None:
        if isinstance(message.get("method"), str):
            return str(message["method"])
        return self._pending.get(message.get("id"))

    def _judge(self, message: Message, method: str | None) -> None:
        started = time.perf_counter()
        try:
            self._judge_envelope(message, method)
            self._logins.received(message, method)
        except SchemaSetError as exc:  # a bundle file that cannot be read: not the server's
            self.problems.append(Failure("environment", "setup", str(exc)))
        finally:
            self.validation_seconds += time.perf_counter() - started

    def _judge_envelope(self, message: Message, method: str | None) -> None:
        check = self._check
        has_id = "id" in message
        if "method" in message:
            name = str(message["method"])
            wrong_kind = check.kind_error(name, has_id) if check else None
            if wrong_kind:
                self._problem("protocol", wrong_kind)
            if has_id:
                self._server_requests[message["id"]] = name
            if check:
                check.server_message(message, name, has_id)
            return
        if not has_id:
            self._problem("protocol", f"a message with neither id nor method: {message}")
            return
        request_id = message["id"]
        if request_id not in self._pending:
            self._problem("protocol", f"an answer to id {request_id!r}, which the kit never sent")
            return
        if request_id in self._answered:
            self._problem("protocol", f"a second answer to {method} (id {request_id!r})")
            return
        self._answered.add(request_id)
        if ("result" in message) == ("error" in message):
            self._problem(
                "protocol", f"the answer to {method} must carry exactly one of result and error"
            )
            return
        error = message.get("error", {"code": 0, "message": ""})
        if not (
            isinstance(error, dict)
            and isinstance(error.get("code"), int)
            and isinstance(error.get("message"), str)
        ):
            self._problem(
                "schema",
                f"the error answering {method} needs an integer code and a string message: "
                f"{error!r}",
            )
            return
        if check:
            check.answer(message, method or "?")

    def handshake(self, client_name: str, experimental_api: bool, timeout: float) -> Message:
        """``initialize`` then ``initialized``; the answer as it came (result or error)."""
        params: Message = {"clientInfo": {"name": client_name, "version": "0.1.0"}}
        if experimental_api:
            params["capabilities"] = {"experimentalApi": True}
        reply = self.response(self.request("initialize", params), timeout)
        if "result" in reply:
            self.notify("initialized")
        return reply

    # Reporting
    def all_problems(self) -> list[Failure]:
        """The problems found, with a count of the non-JSON lines not listed one by one."""
        more = self._garbage_lines - MAX_GARBAGE_REPORTED
        if more <= 0:
            return list(self.problems)
        summary = f"and {more} more stdout lines that are not JSON-RPC messages"
        return [*self.problems, Failure("server", "garbage", summary)]

    def _problem(self, kind: Kind, message: str) -> None:
        self.problems.append(Failure("server", kind, message))

    def _record(
        self,
        direction: Direction,
        raw: str,
        message: Message | None,
        method: str | None,
        label: str | None,
    ) -> None:
        at = time.monotonic() - self._started
        self.message_count += 1
        self.records.append(Record(direction, at, raw, message, method, label))

    def _failure(self, kind: Kind, headline: str) -> Failure:
        return Failure("server", kind, f"{headline}\n{self.context()}")

    def context(self) -> str:
        last = "\n".join("    " + r.short() for r in list(self.records)[-8:]) or "    (none)"
        process = self.transport.process
        lines = process.stderr_tail() if process else ["(a server the kit did not start)"]
        tail = "\n".join("    " + line for line in lines) or "    (empty)"
        return f"  last messages:\n{last}\n  stderr tail:\n{tail}"

    def _exit(self) -> str:
        process = self.transport.process
        return process.describe_exit() if process else "a server the kit did not start"

    def close(self) -> None:
        self.transport.close()
