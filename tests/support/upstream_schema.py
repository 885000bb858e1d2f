"""Judge a conversation by the real 0.163.0 binary's own schema (``codex app-server
generate-json-schema``), message by message, both ways.

The binary's folder has one self-contained draft-07 file per type; its method maps
(``ClientRequest.json``, ``ServerNotification.json``, ``ServerRequest.json``) say which
type a method's params carry. Which type an answer carries is not in those files: the
reference server's registry names it (the same type names, a test makes sure).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from conformance.session import Session
from reference_server.schema_gen import result_types

Message = dict[str, Any]


class UpstreamSchema:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._validators: dict[str, Draft7Validator] = {}

    @cached_property
    def params_types(self) -> dict[str, str]:
        """method -> the type its params carry, for every method the binary knows."""
        found: dict[str, str] = {}
        for name in ("ClientRequest", "ServerNotification", "ServerRequest"):
            document = json.loads((self.folder / f"{name}.json").read_text())
            for variant in document["oneOf"]:
                props = variant.get("properties", {})
                method = props.get("method", {}).get("enum", [None])[0]
                ref = props.get("params", {}).get("$ref")
                if method and ref:
                    found[method] = ref.rsplit("/", 1)[-1]
        return found

    def _validator(self, type_name: str) -> Draft7Validator:
        if type_name not in self._validators:
            for sub in ("v2", "", "v1"):
                path = self.folder / sub / f"{type_name}.json"
                if path.is_file():
                    self._validators[type_name] = Draft7Validator(json.loads(path.read_text()))
                    break
            else:
                raise KeyError(f"the binary's schema has no type {type_name}")
        return self._validators[type_name]

    def errors(self, type_name: str, instance: Any) -> list[str]:
        return [
            f"{type_name} at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in self._validator(type_name).iter_errors(instance)
        ]

    def problems(self, session: Session) -> tuple[list[str], int]:
        """Every schema problem of what the server sent in the recorded conversation, and
        how many messages were judged (a method the binary's schema does not know is a
        problem too). What the test sent is not judged: tests send bad input on purpose."""
        results = result_types()
        asked: dict[tuple[str, Any], str] = {}  # (direction, id) -> method
        problems: list[str] = []
        judged = 0
        for record in list(session.records):
            message = record.message
            if not isinstance(message, dict):
                continue
            method = message.get("method")
            if isinstance(method, str):
                if "id" in message:
                    asked[(record.direction, message["id"])] = method
                if record.direction != "in" or "params" not in message:
                    continue
                type_name = self.params_types.get(method)
                if type_name is None:
                    problems.append(f"{method}: not a method of the binary's schema")
                    continue
                problems += [f"{method}: {p}" for p in self.errors(type_name, message["params"])]
                judged += 1
            elif "result" in message and record.direction == "in":
                answered = asked.get(("out", message.get("id")))
                if answered in results and answered != "initialize":
                    problems += [
                        f"{answered} result: {p}"
                        for p in self.errors(results[answered], message["result"])
                    ]
                    judged += 1
        return problems, judged
