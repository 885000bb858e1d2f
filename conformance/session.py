"""A JSON-RPC conversation with one server, judged message by message.

Every line that goes out or comes in is recorded and validated; what the server does
wrong on the way (a line that is not JSON, a message the schema rejects, an answer to
an id never sent, ``account/updated`` before the login it reports has completed) is
collected in ``problems`` without stopping the conversation. Waiting for something
that never comes raises :class:`Stop` with what was awaited, the last messages and
the server's stderr tail.
"""

from __future__ import annotations

import json
import queue
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from .results import Failure, Kind
from .schema_check import SURFACE, Part, SchemaCheck
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


@dataclass
class _LoginTracker:
    """What the ordering rules need to know about logins in flight."""

    in_flight: dict[Any, str] = field(default_factory=dict)  # request id -> login type
    awaiting_completion: set[str | None] = field(default_factory=set)
    completed_ids: set[str] = field(default_factory=set)
    #: The login whose completion last reported a failure, until a new login or a logout.
    failed: str | None = None


class Session:
    def __init__(
        self,
        transport: Transport,
        schema: SchemaCheck,
        name: str = "server",
        extra_schemas: tuple[SchemaCheck, ...] = (),
    ) -> None:
        self.transport = transport
        self.schema = schema
        self.extra_schemas = extra_schemas
        self.name = name
        # Bounded, so a server that floods its output cannot exhaust the kit's memory.
        self.records: deque[Record] = deque(maxlen=MAX_RECORDS)
        self.message_count = 0
        self._garbage_lines = 0
        self.problems: list[Failure] = []
        self.outside_surface: list[str] = []
        self.validation_seconds = 0.0
        self._started = time.monotonic()
        self._unconsumed: list[Message] = []
        self._pending: dict[Any, str] = {}  # our request id -> method
        self._answered: set[Any] = set()
        self._server_requests: dict[Any, str] = {}
        self._next_id = 0
        self._closed = False
        self._logins = _LoginTracker()

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
        if method == "account/login/start" and isinstance(params, dict):
            self._logins.in_flight[request_id] = str(params.get("type"))
        if method in ("account/login/start", "account/logout"):
            self._logins.failed = None
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
        if label is None and method is not None:
            started = time.perf_counter()
            problems = self._check_outgoing(message, method)
            self.validation_seconds += time.perf_counter() - started
            for problem in problems:
                # A request the kit meant to be valid does not validate: the scenario is wrong.
                self.problems.append(Failure("kit", "schema", f"the kit sent: {problem}"))
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
        label = None if method in SURFACE else "outside the checked surface"
        self._record("in", line, message, method, label)
        if method is not None and method not in SURFACE:
            if "method" in message:  # server-initiated; answers to our own probes are not news
                self.outside_surface.append(method)
        else:
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
            self._judge_order(message, method)
        finally:
            self.validation_seconds += time.perf_counter() - started

    def _judge_envelope(self, message: Message, method: str | None) -> None:
        has_id = "id" in message
        if "method" in message:
            name = str(message["method"])
            if has_id and name in self.schema.server_notifications:
                self._problem("protocol", f"{name} is a notification but came with an id")
            elif not has_id and name in self.schema.server_requests:
                self._problem("protocol", f"{name} is a server request but came without an id")
            if has_id:
                self._server_requests[message["id"]] = name
                self._validate_params(name, message, self.schema.server_requests)
            else:
                self._validate_params(name, message, self.schema.server_notifications)
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
        if "error" in message:
            error = message["error"]
            if not (
                isinstance(error, dict)
                and isinstance(error.get("code"), int)
                and isinstance(error.get("message"), str)
            ):
                self._problem(
                    "schema",
                    f"the error answering {method} needs an integer code and a string "
                    f"message: {error!r}",
                )
            return
        type_name = self.schema.result_types.get(method or "")
        if type_name is not None:
            self._validate(type_name, message["result"], method or "?", "result")

    def _validate_params(
        self, method: str, message: Message, method_map: dict[str, str | None]
    ) -> None:
        if method not in method_map:
            if method in SURFACE:
                self._problem("schema", f"{method} is not in the schema's method maps")
            return
        type_name = method_map[method]
        if type_name is None:
            return
        if "params" not in message:
            self._problem("schema", f"{method} carries no params (expected {type_name})")
            return
        self._validate(type_name, message["params"], method, "params")

    def _validate(self, type_name: str, value: Any, method: str, part: Part) -> None:
        for schema in (self.schema, *self.extra_schemas):
            for violation in schema.validate(type_name, value, method, part):
                source = "" if schema is self.schema else f" (schema of {schema.source})"
                self._problem("schema", f"{violation}{source}")

    def handshake(self, client_name: str, experimental_api: bool, timeout: float) -> Message:
        """``initialize`` then ``initialized``; the answer as it came (result or error)."""
        params: Message = {"clientInfo": {"name": client_name, "version": "0.1.0"}}
        if experimental_api:
            params["capabilities"] = {"experimentalApi": True}
        reply = self.response(self.request("initialize", params), timeout)
        if "result" in reply:
            self.notify("initialized")
        return reply

    def _check_outgoing(self, message: Message, method: str) -> list[str]:
        """Violations in a request's params or in an answer to a server request."""
        if "method" in message:
            type_name = self.schema.client_requests.get(method) if "id" in message else None
            part: Part = "params"
        else:
            type_name, part = self.schema.result_types.get(method), "result"
        if type_name is None or part not in message:
            return []
        return [str(v) for v in self.schema.validate(type_name, message[part], method, part)]

    def _judge_order(self, message: Message, method: str | None) -> None:
        logins = self._logins
        if method == "account/login/start" and "method" not in message:
            kind = logins.in_flight.pop(message.get("id"), None)
            result = message.get("result")
            if kind is not None and isinstance(result, dict):
                logins.awaiting_completion.add(result.get("loginId"))
            return
        if method == "account/login/completed" and "id" not in message:
            params = message.get("params") or {}
            login_id = params.get("loginId")
            if isinstance(login_id, str):
                if login_id in logins.completed_ids:
                    self._problem(
                        "ordering", f"a second account/login/completed for login {login_id}"
                    )
                logins.completed_ids.add(login_id)
            logins.awaiting_completion.discard(login_id)
            logins.failed = None if params.get("success") else str(login_id)
            return
        if method == "account/updated" and "id" not in message:
            params = message.get("params") or {}
            if params.get("authMode") is not None and logins.awaiting_completion:
                waiting = ", ".join(str(x) for x in logins.awaiting_completion)
                self._problem(
                    "ordering",
                    "account/updated reported a sign-in before account/login/completed "
                    f"(login {waiting} has not completed)",
                )
            elif params.get("authMode") is not None and logins.failed is not None:
                self._problem(
                    "ordering",
                    "account/updated reported a sign-in after account/login/completed "
                    f"reported login {logins.failed} failed",
                )

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
