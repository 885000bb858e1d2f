"""``python -m conformance --app-server CMD [pytest options]``: the catalog, no test code.

Everything after the kit's own options is handed to pytest (``-n 2``, ``-k device``,
``--junitxml=report.xml`` ...). Exit status is pytest's: 0 when every scenario passed
or failed as the baseline declares. ``matrix`` first runs the release matrix instead
(:mod:`conformance.matrix.cli`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["matrix"]:
        from .matrix.cli import main as matrix

        return matrix(args[1:])
    import pytest

    if not any(a.startswith(("--app-server", "-h", "--help")) for a in args):
        print(
            "usage: python -m conformance --app-server CMD | --app-server-url URL "
            "[pytest options]\n"
            "       python -m conformance matrix --releases LIST --out DIR  (see matrix --help)\n"
            'example: python -m conformance --app-server "codex app-server" -n 2 '
            "--conformance-json report.json",
            file=sys.stderr,
        )
        return 2
    # Scenario files are the tests: the ini and conftest of the current folder do not apply,
    # and of the installed pytest plugins only ours and xdist load (others cost seconds of
    # start-up per worker and may change how tests run); add more with `-p NAME`.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    here = Path(__file__).resolve().parent
    base = ["-c", str(here / "pytest.ini"), "--rootdir", str(here / "catalog")]
    base += ["-p", "conformance.plugin", "-p", "xdist.plugin"]
    return int(pytest.main([*base, *args]))


if __name__ == "__main__":
    raise SystemExit(main())
