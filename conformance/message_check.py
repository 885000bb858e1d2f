"""Every message of a conversation held to the schema bundle, whatever its method.

A server message is checked twice: the message itself against the bundle's JSON-RPC
envelope type (``JSONRPCNotification`` ...; this is where an undeclared top-level member
such as ``emittedAtMs`` shows), and its ``params`` or ``result`` against the type the
method maps give. A method missing from the maps is a warning (the release sent what its
schema does not declare), or a failure with ``strict_fields``. The kit's own messages
are checked too: what the bundle forbids there is the kit's fault.
"""

from __future__ import annotations

from typing import Any

from .results import Direction, Failure, SchemaWarning
from .schema_check import Part, SchemaCheck, Violation

Message = dict[str, Any]


class MessageCheck:
    """Holds messages to one bundle; collects what it finds."""

    def __init__(
        self, schema: SchemaCheck, problems: list[Failure], warnings: list[SchemaWarning]
    ) -> None:
        self.schema = schema
        self.problems = problems
        self.warnings = warnings
        self._warned: set[tuple[str, str, str, str]] = set()

    def kind_error(self, name: str, has_id: bool) -> str | None:
        """A notification sent as a request, or the other way round."""
        if has_id and name in self.schema.server_notifications:
            return f"{name} is a notification but came with an id"
        if not has_id and name in self.schema.server_requests:
            return f"{name} is a server request but came without an id"
        return None

    def server_message(self, message: Message, name: str, has_id: bool) -> None:
        """A notification or a request from the server."""
        self._envelope("JSONRPCRequest" if has_id else "JSONRPCNotification", message, name)
        known, map_name = (
            (self.schema.server_requests, "ServerRequest")
            if has_id
            else (self.schema.server_notifications, "ServerNotification")
        )
        if name not in known:
            text = f"{name} is not a method of {map_name} in {self.schema.source}"
            if self.schema.strict_fields:
                self.problems.append(Failure("server", "schema", text))
            else:
                self._warn(
                    SchemaWarning(
                        "undeclared-method", name, map_name, "$.method", text, "in", "method"
                    )
                )
            return
        type_name = known[name]
        if type_name is None:
            return
        if "params" not in message:
            text = f"{name} carries no params (expected {type_name})"
            self.problems.append(Failure("server", "schema", text))
            return
        self._validate(type_name, message["params"], name, "params")

    def answer(self, message: Message, method: str) -> None:
        """The server's answer to a request of the kit (one of result and error)."""
        self._envelope("JSONRPCError" if "error" in message else "JSONRPCResponse", message, method)
        type_name = self.schema.result_types.get(method)
        if "result" in message and type_name is not None:
            self._validate(type_name, message["result"], method, "result")

    def outgoing(self, message: Message, method: str) -> None:
        """A request's params, a notification's, or an answer to a server request.

        What the bundle forbids is the kit's fault: a scenario meant it to be valid.
        What it does not declare is a warning, as it would be from a server.
        """
        if "method" in message:
            requests = "id" in message
            known = self.schema.client_requests if requests else self.schema.client_notifications
            type_name = known.get(method)
            part: Part = "params"
        else:
            type_name, part = self.schema.result_types.get(method), "result"
        if type_name is None or part not in message:
            return
        for violation in self.schema.validate(type_name, message[part], method, part):
            if violation.level == "warning":
                self._warn(_warning(violation, "out"))
            else:
                self.problems.append(Failure("kit", "schema", f"the kit sent: {violation}"))

    def _envelope(self, type_name: str, message: Message, method: str) -> None:
        """The message itself (members beside params/result), where the bundle has the type."""
        if self.schema.knows(type_name):
            self._validate(type_name, message, method, "envelope")

    def _validate(self, type_name: str, value: Any, method: str, part: Part) -> None:
        for violation in self.schema.validate(type_name, value, method, part):
            if violation.level == "warning":
                self._warn(_warning(violation, "in"))
            else:
                self.problems.append(Failure("server", "schema", str(violation)))

    def _warn(self, warning: SchemaWarning) -> None:
        if warning.gap not in self._warned:  # once per gap, not once per message
            self._warned.add(warning.gap)
            self.warnings.append(warning)


def _warning(violation: Violation, direction: Direction) -> SchemaWarning:
    return SchemaWarning(
        "undeclared-field",
        violation.method,
        violation.schema_type,
        violation.path,
        violation.message,
        direction,
        violation.part,
    )
