"""``codex-conformance --app-server CMD [pytest options]``: the catalog, no test code.

Everything beside the kit's own options is handed to pytest (``-n 2``, ``-k device``,
``-m device-code``, ``--junitxml=report.xml`` ...). Exit status is pytest's: 0 when every
scenario passed or failed as the baseline declares; 1 when one failed or the run could
not judge the server. ``--help`` shows the kit's options (pytest's: ``--help-pytest``),
``--list`` the scenarios without a server, ``--version`` the kit's version. ``matrix``
first runs the release matrix instead (:mod:`conformance.matrix.cli`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

#: How the user called it: the console script, or ``python -m conformance``.
PROG = (
    "python -m conformance"
    if sys.argv and sys.argv[0].endswith("__main__.py")
    else "codex-conformance"
)
EXAMPLES = f"""\
examples:
  {PROG} --app-server "codex app-server" -n 2 --conformance-json report.json
  {PROG} --app-server "$CODEX app-server" --conformance-baseline codex-0.163.0 -m device-code
  {PROG} --app-server-url ws://127.0.0.1:4500 -k handshake
  {PROG} --app-server "codex app-server" --conformance-catalog my-scenarios
  {PROG} --list
"""


def _parser() -> argparse.ArgumentParser:
    """The kit's options as pytest takes them (one definition, in the entry module)."""
    import codex_app_server_kit_plugin as entry

    from .baseline import packaged
    from .capabilities import CAPABILITIES

    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} --app-server CMD | --app-server-url URL [options] [pytest options]",
        description="Judge a Codex app-server by the conformance catalog: every scenario "
        "against a fresh server, every message against the schema of its release.",
        epilog=EXAMPLES
        + f"\ncapabilities (--app-server-lacks): {', '.join(CAPABILITIES)}"
        + f"\npackaged baselines (--conformance-baseline): {', '.join(packaged())}"
        + "\nany pytest option works too (-n 2, -k, -m TAG, -x, --junitxml=PATH ...): "
        + "--help-pytest lists them",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    group = parser.add_argument_group("the kit's options")
    for flag, keywords in entry.options():
        group.add_argument(flag, **keywords)
    own = parser.add_argument_group("this command")
    own.add_argument("--list", action="store_true", help="list the scenarios (id, title, tags)")
    own.add_argument("--version", action="store_true", help="print the kit's version")
    own.add_argument("--help-pytest", action="store_true", help="pytest's own options")
    own.add_argument("-h", "--help", action="store_true", help="this help")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["matrix"]:
        from .matrix.cli import main as matrix

        return matrix(args[1:])
    if "-h" in args or "--help" in args:
        _parser().print_help()
        return 0
    if "--version" in args:
        from mock_backend.version import kit_version

        print(f"{PROG} (codex-app-server-kit) {kit_version()}")
        return 0
    if "--list" in args:
        return _list(_parser().parse_known_args(args)[0].conformance_catalog)
    if "--help-pytest" in args:
        print(f"pytest's own options, which {PROG} takes too (its own: {PROG} --help):\n")
        sys.stdout.flush()
        args = [a if a != "--help-pytest" else "--help" for a in args]
    elif not any(a.startswith(("--app-server=", "--app-server-url")) or a == "--app-server"
                 for a in args):  # fmt: skip
        print(
            f"usage: {PROG} --app-server CMD | --app-server-url URL [options] [pytest options]\n"
            f"       {PROG} matrix --releases LIST --out DIR  (see matrix --help)\n"
            f'example: {PROG} --app-server "codex app-server" -n 2 '
            "--conformance-json report.json\n"
            f"{PROG} --help: the kit's options; {PROG} --list: the scenarios",
            file=sys.stderr,
        )
        return 2
    return _pytest(args)


def _pytest(args: list[str]) -> int:
    import pytest

    # Scenario files are the tests: the ini and conftests of the current folder do not apply,
    # and of the installed pytest plugins only ours and xdist load (others cost seconds of
    # start-up per worker and may change how tests run); add more with `-p NAME`.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    here = Path(__file__).resolve().parent
    base = ["-c", str(here / "pytest.ini"), "--rootdir", os.getcwd(), "--noconftest"]
    base += ["--conformance-only"]
    base += ["-p", "codex_app_server_kit_plugin", "-p", "xdist.plugin"]
    return int(pytest.main([*base, *args]))


def _list(catalogs: list[str]) -> int:
    from .pytest_items import Catalogs
    from .scenario import ScenarioFileError, load, shown

    try:
        files = Catalogs.of(catalogs).files()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = 0
    width = max((len(path.stem) for path in files), default=0)
    for path in files:
        try:
            scenario = load(path)
        except ScenarioFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        tags = f"  [{', '.join(scenario.tags)}]" if scenario.tags else ""
        where = "" if path.parent == files[0].parent else f"  ({shown(path)})"
        print(f"{scenario.id:<{width}}  {scenario.title}{tags}{where}")
    return 1 if failed else 0


def run() -> int:
    """The console script: ``main``, quiet when its output is cut short (``| head``)."""
    try:
        return main()
    except BrokenPipeError:
        sys.stderr.close()  # nothing more can be said, and no traceback about it
        return 1


if __name__ == "__main__":
    raise SystemExit(run())
