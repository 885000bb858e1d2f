"""The method names a scenario may use: those the schema bundles declare, by who sends them.

A scenario file is checked against them when it is loaded: ``request: account/raed``
would otherwise reach the server, be answered with an error, and be blamed on the
server; an awaited ``notification`` that no release sends would end in a hang. The
names are those of every vendored release (a scenario may run against any of them) and
of any bundle the run judges by (``--conformance-schema``, the server's own).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from .bundles import BUNDLES, versions
from .schema_check import read_map

Role = Literal[
    "client-request", "client-notification", "server-notification", "server-request", "server"
]

#: Who sends a method, as a step names it -> the method maps that declare it.
MAPS: dict[Role, tuple[str, ...]] = {
    "client-request": ("ClientRequest",),
    "client-notification": ("ClientNotification",),
    "server-notification": ("ServerNotification",),
    "server-request": ("ServerRequest",),
    "server": ("ServerNotification", "ServerRequest"),
}
_WORDS: dict[Role, str] = {
    "client-request": "a client request",
    "client-notification": "a client notification",
    "server-notification": "a server notification",
    "server-request": "a server request",
    "server": "a server notification or request",
}


@cache
def _folder_methods(folder: Path) -> dict[str, frozenset[str]]:
    """map name -> the methods it declares, for one bundle folder (a map may be missing)."""
    found: dict[str, frozenset[str]] = {}
    for name in {m for maps in MAPS.values() for m in maps}:
        path = folder / f"{name}.json"
        found[name] = frozenset(read_map(path)) if path.is_file() else frozenset()
    return found


@dataclass(frozen=True)
class KnownMethods:
    """The union of some bundles' method maps, and where they came from."""

    by_map: dict[str, frozenset[str]]
    sources: str

    def has(self, role: Role, method: str) -> bool:
        return any(method in self.by_map.get(name, ()) for name in MAPS[role])

    def unknown(self, role: Role, method: str) -> str | None:
        """Why ``method`` is not a name a step of this role may use (None: it is one)."""
        if self.has(role, method):
            return None
        names = sorted({m for name in MAPS[role] for m in self.by_map.get(name, ())})
        close = difflib.get_close_matches(method, names, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"{method} is not {_WORDS[role]} of {self.sources}{guess}"


def known_methods(extra: tuple[Path, ...] = (), root: Path = BUNDLES) -> KnownMethods:
    """The methods of every vendored bundle under ``root`` plus the ``extra`` bundles."""
    folders = [root / version for version in versions(root)]
    shown = f"any vendored bundle ({', '.join(versions(root))})"
    if extra:
        folders += list(extra)
        shown += " nor of " + ", ".join(str(folder) for folder in extra)
    by_map: dict[str, set[str]] = {}
    for folder in folders:
        for name, methods in _folder_methods(folder).items():
            by_map.setdefault(name, set()).update(methods)
    return KnownMethods({name: frozenset(m) for name, m in by_map.items()}, shown)
