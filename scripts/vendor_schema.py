"""Vendor a codex release's schema bundle: ``scripts/vendor-schema VERSION``.

Installs the release (PyPI ``openai-codex-cli-bin``, else npm ``@openai/codex``; cached,
see ``conformance/releases.py``), runs its ``app-server generate-json-schema`` and puts
exactly what it writes (JSON only) into ``schema/codex/VERSION``, replacing what was
there. ``tests/conformance/test_bundles.py`` holds each vendored folder to what its
binary generates.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conformance.releases import ReleaseUnavailable, generate_schema  # noqa: E402

EXAMPLE = "example: scripts/vendor-schema 0.171.0   (writes schema/codex/0.171.0/)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/vendor-schema", description=__doc__.splitlines()[0], epilog=EXAMPLE
    )
    parser.add_argument("version", help="a codex release, e.g. 0.171.0")
    parser.add_argument(
        "--into", type=Path, default=ROOT / "schema" / "codex", help="bundle root folder"
    )
    args = parser.parse_args(argv)
    target = args.into / args.version
    with tempfile.TemporaryDirectory(prefix="vendor-schema-") as tmp:
        out = Path(tmp) / args.version
        try:
            generate_schema(args.version, out)
        except ReleaseUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        others = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
                        and p.suffix != ".json")  # fmt: skip
        if others:
            print(f"note: not vendored (not JSON): {', '.join(others)}", file=sys.stderr)
            for path in others:
                (out / path).unlink()
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, target)
    count = sum(1 for p in target.rglob("*.json"))
    print(f"vendored codex {args.version}: {count} files in {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
