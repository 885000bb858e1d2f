"""Which releases a ``--releases`` list means.

Items, comma-separated, united and sorted oldest first:

- ``0.163.0``: that release, whether or not a registry lists it (one that exists nowhere
  gets its own column saying so, it does not stop the run);
- ``0.160.0..0.171.0``: every published release in that range, both ends included;
  ``0.164.0..`` and ``..0.140.0`` are open at one end;
- ``latest:3``: the three newest published releases;
- ``pypi`` / ``npm``: every release that registry carries (npm: for this platform).

Only the exact form needs no registry: the others are resolved against
:class:`conformance.matrix.published.Published`, asked for only when needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..versions import STABLE, is_release, version_key
from .published import Published

_RANGE = re.compile(rf"^({STABLE})?\.\.({STABLE})?$")
_LATEST = re.compile(r"^latest:(\d+)$")
_REGISTRIES = ("pypi", "npm")
EXAMPLE = "0.133.0,0.160.0..0.171.0,latest:3,pypi"


class SelectionError(ValueError):
    """A ``--releases`` list that cannot be read; the message shows the bad item."""


@dataclass(frozen=True)
class Selection:
    """A parsed ``--releases`` list: ``needs_index`` says whether a registry must be asked."""

    items: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Selection:
        items = tuple(item.strip() for item in text.split(",") if item.strip())
        if not items:
            raise SelectionError(f"--releases is empty; e.g. --releases {EXAMPLE}")
        for item in items:
            if not (
                is_release(item) or _RANGE.match(item) or _LATEST.match(item) or item in _REGISTRIES
            ):
                raise SelectionError(
                    f"--releases: {item!r} is not a release (0.163.0), a range "
                    f"(0.160.0..0.171.0, 0.164.0..), latest:N, pypi or npm; e.g. {EXAMPLE}"
                )
            if (match := _RANGE.match(item)) and not any(match.groups()):
                raise SelectionError(f"--releases: {item!r} needs at least one end")
            if (match := _LATEST.match(item)) and int(match.group(1)) == 0:
                raise SelectionError(f"--releases: {item!r} selects nothing; give N >= 1")
        return cls(items)

    @property
    def needs_index(self) -> bool:
        return any(not is_release(item) for item in self.items)

    def resolve(self, published: Callable[[], Published]) -> list[str]:
        """The releases, oldest first; ``published`` is called (once) only if needed."""
        index = published() if self.needs_index else None
        chosen: set[str] = set()
        for item in self.items:
            if is_release(item):
                chosen.add(item)
                continue
            assert index is not None
            chosen.update(_expand(item, index))
        return sorted(chosen, key=version_key)


def _expand(item: str, index: Published) -> list[str]:
    known = index.versions()
    if item in _REGISTRIES:
        found = [v for v in known if item in index.releases[v].registries]
    elif match := _LATEST.match(item):
        found = known[-int(match.group(1)) :]
    else:
        match = _RANGE.match(item)
        assert match is not None
        low, high = match.groups()
        found = [
            v
            for v in known
            if (low is None or version_key(v) >= version_key(low))
            and (high is None or version_key(v) <= version_key(high))
        ]
    if not found:
        raise SelectionError(
            f"--releases: {item!r} matches no published release (published: {index.describe()})"
        )
    return found
