"""Which packaged baseline holds a server when none is named: the one of its version.

The project packages a baseline per codex release its CI holds to one
(``baselines/codex-VERSION.yaml``). A server reporting such a version is held to that
release's baseline; one reporting a version without a baseline to the nearest older one,
with a warning (a deviation of the older release may be fixed since, and its entry then
fails as stale, or new ones may have come); one older than every baseline, or reporting
no version, to none. ``--conformance-baseline none`` turns the choice off: a server that
reports a codex version without being codex (the reference server reports the version
it follows) is not held to codex's deviations.
"""

from __future__ import annotations

from dataclasses import dataclass

from .baseline import BASELINES, Baseline, packaged
from .versions import is_stable, nearest_not_newer, version_key

#: What ``--conformance-baseline`` takes to hold a server to no baseline at all.
NONE = "none"


@dataclass(frozen=True)
class BaselineChoice:
    """A baseline and why: the console and the report show both."""

    baseline: Baseline
    name: str | None  # "codex-0.163.0"; None: no baseline
    reason: str
    warning: str | None = None


def _releases() -> dict[str, str]:
    """version -> the packaged baseline of that release (``codex-VERSION``)."""
    found: dict[str, str] = {}
    for name in packaged():
        version = name.removeprefix("codex-")
        if version != name and is_stable(version):
            found[version] = name
    return found


def choose_packaged(version: str | None) -> BaselineChoice:
    """The packaged baseline that holds a server reporting ``version``."""
    if version is None or not is_stable(version):
        return BaselineChoice(
            Baseline.empty(), None, "no packaged baseline: the server reports no version"
        )
    releases = _releases()
    nearest = nearest_not_newer(version, releases)
    if nearest is None:
        return BaselineChoice(
            Baseline.empty(),
            None,
            f"no packaged baseline: the server reports {version}, older than every one",
        )
    name = releases[nearest]
    baseline = Baseline.load(BASELINES / f"{name}.yaml")
    if version_key(nearest) == version_key(version):
        return BaselineChoice(baseline, name, f"packaged {name}: the server reports {version}")
    text = (
        f"the server reports {version}, which has no packaged baseline; held to the nearest "
        f"older one, {name} (an entry it no longer fails shows as stale; "
        f"--conformance-baseline {NONE} holds it to none)"
    )
    reason = f"packaged {name}, the nearest older: the server reports {version}"
    return BaselineChoice(baseline, name, reason, text)


def named(option: str) -> BaselineChoice:
    """The baseline ``--conformance-baseline`` names (a file, a packaged name, or none)."""
    if option == NONE:
        return BaselineChoice(Baseline.empty(), None, f"--conformance-baseline {NONE}")
    baseline = Baseline.find(option)
    return BaselineChoice(baseline, option, "--conformance-baseline")
