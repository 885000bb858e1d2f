"""Every message of one conversation judged as it passes: JSON-RPC, schema, protocol rules.

What the server gets wrong is collected in ``problems`` (the conversation goes on),
what it sends beyond its schema bundle in ``warnings``. A JSON-RPC violation that
leaves nothing worth awaiting (an answer to an id the kit never sent, a second answer:
the answer awaited will not come as it should) also ends the scenario at once
(``stopping``), instead of after the message timeout.

- **JSON-RPC**: a line that is not a JSON object, a message with neither id nor method,
  a notification sent as a request (or the other way round), an answer to an id the kit
  never sent, a second answer, an answer with both or neither of result and error.
- **schema**: each message, both ways, against the bundle (``message_check``).
- **protocol rules**: every rule of ``conformance.rules``, one instance per conversation.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .message_check import MessageCheck
from .results import Failure, Kind, SchemaWarning
from .rules import RULES, Report, Rule
from .schema_check import SchemaCheck, SchemaSetError

Message = dict[str, Any]
MAX_GARBAGE_REPORTED = 5
#: An ``"id": VALUE`` in a line the kit sent as it is (a string or an integer id).
_RAW_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')
#: How much of a raw line is searched for ids (they lead in the lines the kit sends).
RAW_ID_WINDOW = 64 * 1024


class Judge:
    def __init__(self, schema: SchemaCheck | None) -> None:
        """``schema`` None: no schema verdicts (JSON-RPC and the rules still hold)."""
        self.problems: list[Failure] = []
        self.warnings: list[SchemaWarning] = []
        self.validation_seconds = 0.0
        self._check = MessageCheck(schema, self.problems, self.warnings) if schema else None
        self._pending: dict[Any, str] = {}  # the kit's request id -> method
        self._answered: set[Any] = set()
        #: Ids in lines the kit sent as they are (deliberately malformed: too deep to parse,
        #: too long ...): an answer to one of them is not an answer to an id never sent.
        self._raw_ids: set[Any] = set()
        self._server_requests: dict[Any, str] = {}  # unanswered, id -> method
        self._garbage_lines = 0
        self._stop: Failure | None = None
        self._rules = [rule(self._reporter(rule)) for rule in RULES.values()]

    def _reporter(self, rule: type[Rule]) -> Report:
        """Where ``rule``'s findings go: server faults of its kind, naming it."""

        def report(text: str) -> None:
            self.problems.append(Failure("server", rule.kind, text, rule=rule.name))

        return report

    # The kit's messages
    def outgoing(self, message: Message, method: str | None, label: str | None) -> None:
        """A message the kit is about to send; ``label``: sent off-schema on purpose."""
        if "method" in message and "id" in message and method is not None:
            self._pending[message["id"]] = method
        started = time.perf_counter()
        try:
            if label is None and method is not None and self._check is not None:
                self._check.outgoing(message, method)
            for rule in self._rules:
                rule.sent(message, method)
        except SchemaSetError as exc:
            self.problems.append(Failure("environment", "setup", str(exc)))
        finally:
            self.validation_seconds += time.perf_counter() - started

    def raw_sent(self, line: str) -> None:
        """A line the kit sent as it is: the ids it carries, as far as the kit can read them."""
        for token in _RAW_ID.findall(line[:RAW_ID_WINDOW]):
            self._raw_ids.add(json.loads(token))

    def requested(self, request_id: Any) -> str:
        """The method of the kit's request with this id ("?" for none)."""
        return self._pending.get(request_id, "?")

    def answering(self, request_id: Any) -> str | None:
        """The method of the server request the kit now answers (None: none such)."""
        return self._server_requests.pop(request_id, None)

    # The server's messages
    def method_of(self, message: Message) -> str | None:
        """Its own method, or for an answer the method of the request it answers."""
        if isinstance(message.get("method"), str):
            return str(message["method"])
        return self._pending.get(message.get("id"))

    def garbage(self, line: str) -> None:
        """A line that is not a JSON-RPC message: the first few are listed one by one."""
        self._garbage_lines += 1
        if self._garbage_lines <= MAX_GARBAGE_REPORTED:
            shown = line if len(line) <= 120 else line[:119] + "…"
            self._problem("garbage", f"stdout line is not a JSON-RPC message: {shown!r}")

    def received(self, message: Message, method: str | None) -> None:
        started = time.perf_counter()
        try:
            self._jsonrpc(message, method)
            for rule in self._rules:
                rule.received(message, method)
        except SchemaSetError as exc:  # a bundle file that cannot be read: not the server's
            self.problems.append(Failure("environment", "setup", str(exc)))
        finally:
            self.validation_seconds += time.perf_counter() - started

    def _jsonrpc(self, message: Message, method: str | None) -> None:
        """The envelope's rules, then (when it holds) the schema's."""
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
        if request_id not in self._pending and request_id in self._raw_ids:
            self._raw_ids.discard(request_id)  # the answer to a line the kit sent as it is
            return
        if request_id not in self._pending:
            self._stop_at_once(f"an answer to id {request_id!r}, which the kit never sent")
            return
        if request_id in self._answered:
            self._stop_at_once(f"a second answer to {method} (id {request_id!r})")
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

    def all_problems(self) -> list[Failure]:
        """The problems found, with a count of the non-JSON lines not listed one by one."""
        more = self._garbage_lines - MAX_GARBAGE_REPORTED
        if more <= 0:
            return list(self.problems)
        summary = f"and {more} more stdout lines that are not JSON-RPC messages"
        return [*self.problems, Failure("server", "garbage", summary)]

    def stopping(self) -> Failure | None:
        """The violation that ends the scenario at once, if one came (returned once)."""
        stop, self._stop = self._stop, None
        return stop

    def _stop_at_once(self, message: str) -> None:
        failure = Failure("server", "protocol", message)
        self.problems.append(failure)
        if self._stop is None:
            self._stop = failure

    def _problem(self, kind: Kind, message: str) -> None:
        self.problems.append(Failure("server", kind, message))
