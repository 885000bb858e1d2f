"""``app-server-compat OLD NEW``: exit 0 when nothing breaks, 1 when something does,
2 when OLD or NEW (or the ignore file) cannot be used."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mock_backend.version import VersionAction

EXAMPLES = """\
examples:
  app-server-compat schema/reference-0.1.0 schema/reference
  app-server-compat git:HEAD~1:schema/reference schema/reference --format markdown
  app-server-compat schema/codex/0.163.0 schema/codex/0.171.0
  app-server-compat schema/codex/0.163.0 schema/reference --surface-of schema/reference
  app-server-compat schema/reference schema/reference --lint
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="app-server-compat",
        description="Direction-aware backward-compatibility gate for the app-server schema.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("old", help="schema folder, bundle file, or git:REV:PATH")
    parser.add_argument("new", help="schema folder, bundle file, or git:REV:PATH")
    parser.add_argument("--format", choices=("text", "json", "junit", "markdown"), default="text")
    parser.add_argument("--output", type=Path, help="write the report here (default: stdout)")
    parser.add_argument("--ignore", type=Path, help="ignore file (YAML/JSON) with reasons")
    parser.add_argument(
        "--strict-experimental",
        action="store_true",
        help="judge [UNSTABLE] parts like the rest (default: INFO only)",
    )
    parser.add_argument("--lint", action="store_true", help="also lint NEW (names, descriptions)")
    parser.add_argument(
        "--surface-of",
        metavar="SCHEMA",
        help="compare only the methods present in this schema (e.g. a partial implementation)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    from .diff import compare
    from .formats import FORMATS
    from .ignore import apply_ignores, load_ignores
    from .lint import lint
    from .loader import MAPS, SchemaInputError, load
    from .report import Report

    args = _parser().parse_args(argv)
    try:
        old, new = load(args.old), load(args.new)
        surface = None
        if args.surface_of:
            limit = load(args.surface_of)
            surface = {m for name in MAPS for m in limit.methods(name)}
        ignores = load_ignores(args.ignore) if args.ignore else []
    except SchemaInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    findings = compare(old, new, surface)
    if args.lint:
        findings += lint(new)
    stale = apply_ignores(findings, ignores)
    report = Report(args.old, args.new, findings, stale, args.strict_experimental)
    rendered = FORMATS[args.format](report)
    if args.output:
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    return 0 if report.passed else 1
