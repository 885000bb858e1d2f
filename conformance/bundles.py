"""Which vendored bundle judges a server: the one of the version it reports.

The kit ships each known release's own schema bundle (``schema/codex/VERSION/`` in a
checkout, reached through the ``conformance/vendored`` link; real folders in a wheel).
A server is judged by the bundle of the version in its ``userAgent``; a version with no
bundle of its own by the newest release not newer than it (what it most likely extends);
a server that reports no version, or one older than every bundle, by the nearest bundle
there is, with a warning, since the verdicts may then be about another release.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .releases import SchemaNotGenerated, write_schema
from .schema_check import SchemaCheck, SchemaSetError
from .versions import is_stable, nearest_not_newer, version_key

BUNDLES = Path(__file__).resolve().parent / "vendored"


@dataclass(frozen=True)
class SchemaChoice:
    """A bundle and why it was chosen; the report shows both."""

    name: str  # e.g. "codex-0.163.0", or the folder a user gave
    folder: Path
    reason: str
    warning: str | None = None


def versions(root: Path = BUNDLES) -> list[str]:
    """The releases vendored under ``root``, oldest first."""
    if not root.is_dir():
        raise SchemaSetError(
            f"{root}: the vendored schema bundles are missing (expected one folder per codex "
            "release, e.g. 0.163.0/, as `scripts/vendor-schema VERSION` writes them)"
        )
    found = [p.name for p in root.iterdir() if p.is_dir() and is_stable(p.name)]
    if not found:
        raise SchemaSetError(f"{root}: no vendored schema bundles (no VERSION/ folders)")
    return sorted(found, key=version_key)


def choose(version: str | None, root: Path = BUNDLES) -> SchemaChoice:
    """The bundle that judges a server reporting ``version`` (None: no parseable version)."""
    known = versions(root)

    def pick(release: str, reason: str, warning: str | None = None) -> SchemaChoice:
        return SchemaChoice(f"codex-{release}", root / release, reason, warning)

    if version is None or not is_stable(version):
        newest = known[-1]
        text = (
            f"the server reports no parseable version; judged by the newest vendored "
            f"release, {newest}"
        )
        return pick(newest, text, text)
    nearest = nearest_not_newer(version, known)
    if nearest == version:
        return pick(version, f"the server reports {version}")
    if nearest is not None:
        return pick(
            nearest,
            f"the server reports {version}, which has no vendored bundle; judged by the "
            f"newest release not newer than it, {nearest}",
        )
    text = (
        f"the server reports {version}, older than every vendored bundle; judged by the "
        f"oldest, {known[0]}"
    )
    return pick(known[0], text, text)


def override(folder: Path, reason: str) -> SchemaChoice:
    """A bundle the user named (``--conformance-schema DIR``)."""
    return SchemaChoice(str(folder), folder, reason)


def own_schema(argv: list[str], name: str, into: Path) -> SchemaChoice:
    """The bundle the server command writes itself (``CMD generate-json-schema --out``),
    into ``into``; SchemaSetError when the command fails."""
    into.mkdir(parents=True, exist_ok=True)
    try:
        write_schema(argv, into)
    except SchemaNotGenerated as exc:
        raise SchemaSetError(f"`{name} generate-json-schema` failed: {exc}") from exc
    return SchemaChoice(
        f"{name} generate-json-schema", into, "--conformance-own-schema: the server's own schema"
    )


@cache
def _opened(folder: Path, name: str, strict_fields: bool) -> SchemaCheck:
    return SchemaCheck(folder, name, strict_fields)


def open_choice(choice: SchemaChoice, strict_fields: bool = False) -> SchemaCheck:
    """The chosen bundle, opened once per process (its validators are then shared)."""
    return _opened(choice.folder, choice.name, strict_fields)


def vendored(version: str | None = None, strict_fields: bool = False) -> SchemaCheck:
    """The vendored bundle that judges ``version`` (the newest when None)."""
    return open_choice(choose(version), strict_fields)
