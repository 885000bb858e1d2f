"""``--shard I/N``: one of N parts of a catalog run, for spreading it over CI jobs.

The split is by scenario id alone: the ids are sorted and dealt out in turn (the first
to shard 1, the second to shard 2, ...), so every job computes the same parts without
talking to the others, the parts never overlap, together they are the whole catalog,
and they differ in size by one scenario at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SHARD = re.compile(r"^(\d+)/(\d+)$")


class ShardError(ValueError):
    """A ``--shard`` that is not ``I/N`` with 1 <= I <= N."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; shards count from 1."""
    match = _SHARD.match(text.strip())
    if not match:
        raise ShardError(f"--shard {text!r}: give I/N, e.g. --shard 1/3")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ShardError(f"--shard {text!r}: I must be between 1 and N")
    return index, count


def in_shard(ids: Iterable[str], index: int, count: int) -> set[str]:
    """The ids that belong to shard ``index`` of ``count``."""
    return {id_ for position, id_ in enumerate(sorted(set(ids))) if position % count == index - 1}
