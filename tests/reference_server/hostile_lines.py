"""Hostile JSON lines for the reference server, from one seeded generator.

Each line is bytes without its newline: random bytes (not all of them UTF-8), JSON cut
short, JSON that is not an object, envelopes with odd ``jsonrpc``/``id``/``method``/
``params``, nesting around the 128-level limit, numbers around the 64-character limit,
the server's own methods with garbage params, notifications sent with an id, answers to
server requests never made, a BOM, an embedded ``\\r``, and a few lines of megabytes.

The generator keeps the ids it put at the top of a request (:attr:`request_ids`): the
only ids an answer may carry, besides ``null``. Answers to server requests use ids of
their own (:data:`FOREIGN_IDS`), never also used by a request, so an answer that echoes
one of them is caught. Method and field names come from the server's registry and its
models, so that garbage sometimes comes close to a request that works.
"""

from __future__ import annotations

import json
import random
import string

from pydantic import TypeAdapter

from reference_server.methods import (
    CLIENT_NOTIFICATIONS,
    CLIENT_REQUESTS,
    SERVER_NOTIFICATIONS,
    SERVER_REQUESTS,
)

RequestId = str | int
INT64 = range(-(2**63), 2**63)
#: Ids of the answers the fuzzer sends to server requests that were never made.
FOREIGN_IDS: tuple[RequestId, ...] = (0, 1, 2, 7, "0", "never-asked")
REQUEST_METHODS = tuple(m.name for m in CLIENT_REQUESTS)
NOTIFICATION_METHODS = tuple(m.name for m in (*CLIENT_NOTIFICATIONS, *SERVER_NOTIFICATIONS))
SERVER_REQUEST_METHODS = tuple(m.name for m in SERVER_REQUESTS)
#: ``{"type": "chatgpt"}`` starts a browser login, whose callback server binds the fixed
#: port 1455 that the browser-login tests use at the same time: never sent here.
NOT_SENT = frozenset({"chatgpt"})


def is_request_id(value: object) -> bool:
    """JSON-RPC's id as upstream types it: a string or an int64 (never a bool)."""
    return isinstance(value, str) or (type(value) is int and value in INT64)


def _schema_words() -> tuple[list[str], list[str]]:
    """Every field name and every enum or const string of the client requests' params."""
    fields: set[str] = set()
    tags: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    fields.update(value)
                elif key == "enum" and isinstance(value, list):
                    tags.update(v for v in value if isinstance(v, str))
                elif key == "const" and isinstance(value, str):
                    tags.add(value)
                walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for method in CLIENT_REQUESTS:
        if method.params is not None:
            walk(TypeAdapter(method.params).json_schema())
    return sorted(fields), sorted(tags - NOT_SENT)


FIELDS, TAGS = _schema_words()


class HostileLines:
    """Everything is drawn from ``rng`` alone (names sorted, no set order), so one seed
    gives the same lines on every machine and a failure can be replayed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.request_ids: set[RequestId] = set()
        self._serial = 0

    # -- pieces ---------------------------------------------------------------------

    def text(self, longest: int = 12) -> str:
        alphabet = string.printable + "éü中\u2028\x00\x7f\U0001f600"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(longest)))

    def number(self) -> str:
        """A number literal as text: ordinary, near the 64-character limit, or not JSON."""
        rng = self.rng
        return rng.choice(
            [
                str(rng.randrange(-(10**6), 10**6)),
                "9" * rng.randrange(60, 70),
                "-" + "1" * rng.randrange(60, 70),
                "0." + "5" * rng.randrange(58, 68),
                "1e" + "0" * rng.randrange(58, 66) + "1",
                rng.choice(["1e400", "-1e400", "1e-400", "1.5", "-0", "0.0", "1E5"]),
                rng.choice(["NaN", "Infinity", "-Infinity"]),
            ]
        )

    def string(self) -> str:
        rng = self.rng
        pick = rng.randrange(6)
        if pick == 0:
            return json.dumps(self.text())
        if pick == 1:
            return json.dumps(self.text(), ensure_ascii=False)
        if pick == 2:
            return rng.choice(['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"a\\"b"'])
        return json.dumps(rng.choice([*FIELDS, *TAGS]))

    def value(self, depth: int = 0) -> str:
        """A JSON value as text (so it can hold what ``json.dumps`` would not)."""
        rng = self.rng
        pick = rng.randrange(8 if depth < 4 else 5)
        if pick == 0:
            return self.number()
        if pick in (1, 2):
            return self.string()
        if pick in (3, 4):
            return rng.choice(["true", "false", "null", "{}", "[]", '""'])
        if pick in (5, 6):
            return self.object(depth + 1)
        return "[" + ",".join(self.value(depth + 1) for _ in range(rng.randrange(4))) + "]"

    def object(self, depth: int = 0) -> str:
        members = [
            f"{json.dumps(self.rng.choice(FIELDS))}:{self.value(depth)}"
            for _ in range(self.rng.randrange(5))
        ]
        return "{" + ",".join(members) + "}"

    def request_id(self) -> str:
        """An id as text: fine (then kept in :attr:`request_ids`) or one JSON-RPC refuses."""
        rng = self.rng
        self._serial += 1
        fine = rng.choice(
            [
                1000 + self._serial,
                f"fuzz-{self._serial}",
                rng.choice([2**63 - 1, -(2**63), -1]),
                self.text(),
                "x" * rng.randrange(1000, 20_000),
            ]
        )
        odd = rng.choice(
            [
                "NaN",
                "Infinity",
                "-Infinity",
                "1.5",
                "1e400",
                "2.0",
                str(2**63),
                str(-(2**63) - 1),
                "9" * rng.randrange(30, 80),
                "true",
                "false",
                "null",
                '{"id": 5}',
                "[1]",
                self.object(),
            ]
        )
        if fine in FOREIGN_IDS:
            fine = f"fuzz-{self._serial}"
        if rng.randrange(3):
            self.request_ids.add(fine)
            return json.dumps(fine)
        return odd

    def params(self, method: str) -> str:
        """Garbage params: often an object of the model's field names, rarely right."""
        rng = self.rng
        if method == "account/login/start" and rng.randrange(3) == 0:
            rest = self.object()[1:]  # a login type, then garbage beside it
            return '{"type":' + json.dumps(rng.choice(TAGS)) + ("," if rest != "}" else "") + rest
        return self.object() if rng.randrange(3) else self.value()

    # -- lines ----------------------------------------------------------------------

    def envelope(self, method: str, with_id: bool = True, params: str | None = None) -> str:
        rng = self.rng
        members = [f'"method":{json.dumps(method)}']
        if with_id:
            members.insert(rng.randrange(2), f'"id":{self.request_id()}')
        if params is None and rng.randrange(6):
            params = self.params(method)
        if params is not None:
            members.append(f'"params":{params}')
        if rng.randrange(4) == 0:
            members.append('"jsonrpc":' + rng.choice(['"2.0"', '"1.0"', "2", "null", "[]"]))
        return "{" + ",".join(members) + "}"

    def deep(self) -> str:
        rng = self.rng
        depth = rng.randrange(124, 131)
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ('[{"x":', "}]")])
        inner = opener * depth + self.value(4) + closer * depth
        where = rng.randrange(3)
        if where == 0:
            return inner
        if where == 1:
            return self.envelope(rng.choice(REQUEST_METHODS), params=inner)
        return '{"id":' + json.dumps(rng.choice(FOREIGN_IDS)) + ',"result":' + inner + "}"

    def answer_to_nothing(self) -> str:
        rng = self.rng
        body = rng.choice(['"result":' + self.value(), '"error":' + self.object()])
        return "{" + f'"id":{json.dumps(rng.choice(FOREIGN_IDS))},{body}' + "}"

    def odd_envelope(self) -> str:
        rng = self.rng
        method = rng.choice(["1", "null", "[]", '""', json.dumps(self.text()), '"initialize"'])
        members = [f'"method":{method}', f'"id":{self.request_id()}']
        if rng.randrange(2):
            members.append(f'"params":{self.value()}')
        rng.shuffle(members)
        return "{" + ",".join(members[: rng.randrange(1, 4)]) + "}"

    def huge(self) -> bytes:
        """A line of a few megabytes: a request carrying it, or bytes that are not JSON."""
        size = self.rng.randrange(2, 4) * 1024 * 1024
        if self.rng.randrange(2):
            pad = json.dumps("y" * size)
            return self.envelope("account/read", params='{"pad":' + pad + "}").encode()
        return b"{" * 64 + b"z" * size

    def batch(self) -> str:
        """A JSON-RPC batch: an array, which upstream does not take (no answer)."""
        count = self.rng.randrange(1, 4)
        return (
            "["
            + ",".join(self.envelope(self.rng.choice(REQUEST_METHODS)) for _ in range(count))
            + "]"
        )

    def line(self) -> bytes:
        rng = self.rng
        kind = rng.randrange(15)
        if kind == 0:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))
            return raw.replace(b"\n", b"")
        if kind == 1:
            whole = self.envelope(rng.choice(REQUEST_METHODS)).encode()
            return whole[: rng.randrange(1, len(whole))]
        if kind == 2:
            return self.value().encode()
        if kind == 3:
            return self.batch().encode()
        if kind == 4:
            return self.odd_envelope().encode()
        if kind == 5:
            return self.deep().encode()
        if kind == 6:
            long_number = '{"n":' + self.number() + "}"
            return self.envelope(rng.choice(REQUEST_METHODS), params=long_number).encode()
        if kind == 7:
            method = rng.choice(NOTIFICATION_METHODS + SERVER_REQUEST_METHODS)
            return self.envelope(method).encode()  # a notification, with an id
        if kind == 8:
            return self.answer_to_nothing().encode()
        if kind == 9:
            return b"\xef\xbb\xbf" + self.envelope(rng.choice(REQUEST_METHODS)).encode()
        if kind == 10:
            text = self.envelope(rng.choice(REQUEST_METHODS))
            cut = rng.randrange(len(text) + 1)
            return (text[:cut] + "\r" + text[cut:] + rng.choice(["", "\r"])).encode()
        if kind == 11:
            return self.envelope(rng.choice(NOTIFICATION_METHODS), with_id=False).encode()
        return self.envelope(rng.choice(REQUEST_METHODS)).encode()
