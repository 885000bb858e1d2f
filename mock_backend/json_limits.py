"""Reading JSON from clients within limits, and what a parsed body costs to keep.

Python's parser recurses once per nesting level and converts integers of any length
(up to its own 4300-digit guard), so a body nested a thousand deep or carrying a
5000-digit number used to end in a 500, and one nested a few hundred deep was kept in
the journal and broke serving it. Every body the mock reads from a client (HTTP JSON
and forms, the model endpoint's JSON or zstd JSON, its websocket frames, JSON inside
headers and tool arguments) goes through :func:`loads`: it refuses what is nested
deeper than :data:`MAX_DEPTH`, numbers longer than :data:`MAX_NUMBER_CHARS`, numbers
out of the float range, and the non-JSON ``NaN``/``Infinity``, with a message naming
the limit. What it returns can always be written back as JSON (the journal).
"""

from __future__ import annotations

import json
import math
from typing import Any

#: Nesting levels of arrays and objects; codex's own bodies stay under 20.
MAX_DEPTH = 128
#: Characters of one number literal (digits, sign, point, exponent).
MAX_NUMBER_CHARS = 100


class JsonLimitError(ValueError):
    """A body beyond one of the parse limits; ``str()`` names the limit."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message)
        #: ``max_depth`` or ``max_number``: which limit was hit.
        self.limit = limit


def _too_long(text: str) -> JsonLimitError:
    return JsonLimitError(
        "max_number",
        f"a number of {len(text)} characters exceeds the limit of {MAX_NUMBER_CHARS} "
        "characters per number",
    )


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long(text)
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long(text)
    value = float(text)
    if not math.isfinite(value):
        raise JsonLimitError(
            "max_number", f"the number {text} is out of range (beyond a 64-bit float)"
        )
    return value


def _parse_constant(name: str) -> Any:
    raise JsonLimitError("max_number", f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
)


def _too_deep() -> JsonLimitError:
    return JsonLimitError("max_depth", f"JSON nested deeper than the limit of {MAX_DEPTH} levels")


def loads(data: str | bytes) -> Any:
    """Parse JSON within the limits: :class:`JsonLimitError` beyond one of them,
    :class:`json.JSONDecodeError` for malformed JSON, :class:`UnicodeDecodeError`
    for bytes that are not text."""
    text = (
        data.decode(json.detect_encoding(data), "surrogatepass")
        if isinstance(data, bytes)
        else data
    )
    try:
        value = _DECODER.decode(text)
    except RecursionError:
        raise _too_deep() from None
    # Only a document with more brackets than the limit can be nested that deep.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than_limit(value):
        raise _too_deep()
    return value


def _deeper_than_limit(value: Any) -> bool:
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth >= MAX_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


def kept_size(raw: bytes | str) -> int:
    """About what keeping this body parsed costs in memory: its length plus ~64 bytes per
    value (an empty dict or list is 56-64 bytes, a short string ~50), counted in C from
    the separators. Journals and request logs budget their bytes with it."""
    if isinstance(raw, str):
        values = raw.count(",") + raw.count(":") + raw.count("[") + raw.count("{")
        values += raw.count("&") + raw.count("=")
    else:
        values = raw.count(b",") + raw.count(b":") + raw.count(b"[") + raw.count(b"{")
        values += raw.count(b"&") + raw.count(b"=")
    return len(raw) + 64 * (values + 1)
