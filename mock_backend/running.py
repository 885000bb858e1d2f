"""Which backends run on this machine for this user: one marker file per ``serve``.

``serve`` writes its ready line to ``<runtime dir>/codex-app-server-kit/mock-backends/
<pid>.json`` and removes that file, and only that one, when it stops; ``env`` without
``--control`` reads them. One file per backend, not one for all: with a single shared
file, any ``serve`` stopping made ``env`` say "no running backend" while another still
ran. A marker whose process is gone (killed, or the machine restarted) is stale:
ignored, and removed when seen.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from .endpoints import ReadyInfo


def markers_folder() -> Path:
    """Where the markers live: ``$XDG_RUNTIME_DIR``, else ``$XDG_CACHE_HOME``, else
    ``~/.cache``, then ``codex-app-server-kit/mock-backends``."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "codex-app-server-kit" / "mock-backends"


@dataclass(frozen=True)
class Running:
    """One backend that says it runs: its process, when it started, its ready line."""

    pid: int
    started: float
    ready: ReadyInfo


def mark(ready: ReadyInfo) -> Path:
    """Record this process's backend; returns the marker to :func:`unmark` at its end."""
    folder = markers_folder()
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{os.getpid()}.json"
    partial = marker.with_suffix(".tmp")
    partial.write_text(ready.model_dump_json(indent=2), encoding="utf-8")
    partial.replace(marker)  # whole or not at all, for a reader at the same moment
    return marker


def unmark(marker: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        marker.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours to read
    return True


def running() -> list[Running]:
    """The backends whose process still runs, newest first; stale markers are removed."""
    folder = markers_folder()
    found = []
    for marker in folder.glob("*.json") if folder.is_dir() else []:
        try:
            pid = int(marker.stem)
            ready = ReadyInfo.model_validate_json(marker.read_text(encoding="utf-8"))
            started = marker.stat().st_mtime
        except (ValueError, OSError):
            continue  # not a marker of ours, or half written
        if not _alive(pid):
            unmark(marker)
            continue
        found.append(Running(pid, started, ready))
    return sorted(found, key=lambda r: r.started, reverse=True)
