"""The version of the distribution that ships this package (``codex-app-server-kit``).

Read from the installed metadata, so that pyproject.toml stays its one definition;
``--version`` of ``mock-backend``, ``codex-conformance`` and ``app-server-compat`` and
every conformance report show it.
"""

from __future__ import annotations

import argparse
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, version
from typing import Any


@cache
def kit_version() -> str:
    """``0.1.0``; ``unknown`` when the package runs from a folder nobody installed."""
    for distribution in packages_distributions().get(__package__ or "mock_backend", []):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "unknown"


class VersionAction(argparse.Action):
    """``--version`` that reads the metadata only when asked (a plain start stays fast)."""

    def __init__(self, option_strings: list[str], dest: str, program: str = "", **_: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")
        self.program = program

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"{self.program or parser.prog} (codex-app-server-kit) {kit_version()}")
        parser.exit()
