"""``python -m conformance --app-server CMD [pytest options]``: the catalog, no test code.

Everything after the kit's own options is handed to pytest (``-n 2``, ``-k device``,
``--junitxml=report.xml`` ...). Exit status is pytest's: 0 when every scenario passed
or failed as the baseline declares.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import pytest

    args = list(sys.argv[1:] if argv is None else argv)
    if not any(a.startswith(("--app-server", "-h", "--help")) for a in args):
        print(
            "usage: python -m conformance --app-server CMD | --app-server-url URL "
            "[pytest options]\n"
            'example: python -m conformance --app-server "codex app-server" -n 2 '
            "--conformance-json report.json",
            file=sys.stderr,
        )
        return 2
    # Scenario files are the tests: the ini and conftest of the current folder do not apply.
    here = Path(__file__).resolve().parent
    base = ["-c", str(here / "pytest.ini"), "--rootdir", str(here / "catalog")]
    if not _plugin_registered():
        from . import plugin

        return int(pytest.main([*base, *args], plugins=[plugin]))
    return int(pytest.main([*base, *args]))


def _plugin_registered() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "conformance.plugin" for ep in entry_points(group="pytest11"))


if __name__ == "__main__":
    raise SystemExit(main())
