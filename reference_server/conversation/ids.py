"""Ids as 0.163.0 makes and checks them: UUIDv7 for threads, turns and items, and the
``uuid`` crate's words for an id that is not a UUID."""

from __future__ import annotations

import os
import time
import uuid

from ..errors import InvalidRequest

_URN = "urn:uuid:"
_GROUPS = (8, 4, 4, 4, 12)


def uuid7() -> str:
    """A time-ordered UUID (version 7): 48 bits of milliseconds, then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & (2**48 - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (rand >> 68) << 64  # 12 random bits
    value |= 0b10 << 62  # variant
    value |= rand & (2**62 - 1)
    return str(uuid.UUID(int=value))


def check_thread_id(text: str, kind: str = "thread") -> str:
    """The id, hyphenated (``urn:uuid:`` and the simple form are taken, as upstream takes
    them), or ``invalid thread id: <why>`` in upstream's words. ``thread/resume`` says
    ``session`` instead of ``thread``."""
    why = uuid_problem(text)
    if why is not None:
        raise InvalidRequest(f"invalid {kind} id: {why}")
    return str(uuid.UUID(text.removeprefix(_URN)))


def uuid_problem(text: str) -> str | None:
    """Why ``text`` is not a UUID, in the ``uuid`` crate's words; ``None`` when it is one."""
    body = text[len(_URN) :] if text.startswith(_URN) else text
    offset = len(text) - len(body)
    for index, char in enumerate(body):
        if char not in "0123456789abcdefABCDEF-":
            return (
                "invalid character: expected an optional prefix of `urn:uuid:` followed by "
                f"[0-9a-fA-F-], found `{char}` at {index + offset + 1}"
            )
    if "-" not in body:
        if len(body) != 32:
            return f"invalid length: expected length 32 for simple format, found {len(body)}"
        return None
    groups = body.split("-")
    if len(groups) != len(_GROUPS):
        return f"invalid group count: expected 5, found {len(groups)}"
    for number, (group, expected) in enumerate(zip(groups, _GROUPS, strict=True)):
        if len(group) != expected:
            return (
                f"invalid group length in group {number}: expected {expected}, found {len(group)}"
            )
    return None
