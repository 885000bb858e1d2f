"""``python -m reference_server``: the reference app-server's command line.

Same shape as the real binary: ``app-server generate-json-schema --out DIR``.
The server itself (``app-server`` over stdio / websocket) is still being built
(see docs/reference-server.md); only the schema generator is available so far.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """\
examples:
  python -m reference_server app-server generate-json-schema --out schema
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_server",
        description="Reference implementation of the Codex app-server account surface.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    app = sub.add_parser(
        "app-server",
        help="the app-server and its generators",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tools = app.add_subparsers(dest="tool", required=True)
    gen = tools.add_parser(
        "generate-json-schema",
        help="write the JSON Schema bundle (upstream layout) for the account surface",
    )
    gen.add_argument("--out", type=Path, required=True, help="output folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.tool == "generate-json-schema":
        from .schema_gen import generate

        try:
            written = generate(args.out)
        except OSError as exc:
            print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"wrote {len(written)} files under {args.out}", file=sys.stderr)
    return 0
