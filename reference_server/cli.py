"""``python -m reference_server``: the reference app-server's command line.

Same shape as the real binary: ``app-server generate-json-schema --out DIR``.
Same shape as the real binary: ``app-server`` serves JSON lines on stdio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """\
examples:
  python -m reference_server app-server
  python -m reference_server app-server --listen ws://127.0.0.1:0
  python -m reference_server app-server -c chatgpt_base_url=https://127.0.0.1:8443/backend-api/
  python -m reference_server app-server generate-json-schema --out schema/reference
  python -m reference_server app-server generate-ts --out schema/reference/typescript
"""


def _serve(args: argparse.Namespace) -> int:
    import logging

    from .settings import Settings, parse_override
    from .transport import fast_start

    listen = None
    if args.listen != "stdio://":
        from .transport.websocket import parse_listen

        try:
            listen = parse_listen(args.listen)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    try:
        overrides = dict(parse_override(text) for text in args.overrides)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        settings = Settings.load(overrides)
        if listen is None:
            fast_start.run(settings)
        else:
            import asyncio

            from .transport.websocket import serve_websocket

            asyncio.run(serve_websocket(settings, *listen))
    except KeyboardInterrupt:
        return 0
    return 0


class _Version(argparse.Action):
    """``--version``, reading the metadata only when asked: a server start stays fast."""

    def __init__(self, option_strings: list[str], dest: str, **_: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from .release import version_text

        print(version_text())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_server",
        description="Reference implementation of the Codex app-server account surface.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)
    app = sub.add_parser(
        "app-server",
        help="run the app-server (JSON lines on stdio), or one of its generators",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    app.add_argument(
        "--listen",
        default="stdio://",
        help="stdio:// (default) or ws://127.0.0.1:PORT (port 0: any; the address is "
        "printed on stderr)",
    )
    app.add_argument(
        "-c",
        dest="overrides",
        action="append",
        default=[],
        metavar="key=value",
        help="config override, as in config.toml (e.g. chatgpt_base_url=...)",
    )
    tools = app.add_subparsers(dest="tool")
    gen = tools.add_parser(
        "generate-json-schema",
        help="write the JSON Schema bundle (upstream layout) of the protocol models",
    )
    gen.add_argument("--out", type=Path, required=True, help="output folder")
    ts = tools.add_parser(
        "generate-ts", help="write TypeScript types (one file per type) of the protocol models"
    )
    ts.add_argument("--out", type=Path, required=True, help="output folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.tool is None:
        return _serve(args)
    if args.tool == "generate-ts":
        from .ts_gen import generate_ts as generator
    else:
        from .schema_gen import generate as generator
    try:
        written = generator(args.out)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files under {args.out}", file=sys.stderr)
    return 0
