"""Request bodies sent with ``Content-Encoding``: decoded here, within a size limit.

codex sends its model requests zstd-compressed. aiohttp can decode request bodies
itself, but when a body lies about its coding the error surfaces in aiohttp's own
parser, which answers a bare ``400 text/plain`` ("deflate") before the mock sees
the request. So the server is run with ``auto_decompress=False`` and bodies are
decoded here: a body that does not decode is a clear 400 in the error shape of
its route, and the decoded size is capped (a small compressed body may expand to
gigabytes).
"""

from __future__ import annotations

import zlib

try:  # Python 3.14 ships zstd; older ones use the backport aiohttp also uses.
    from compression import zstd  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the interpreter
    from backports import zstd  # type: ignore[no-redef,unused-ignore]

SUPPORTED = ("identity", "gzip", "x-gzip", "deflate", "zstd")


class UndecodableBody(ValueError):
    """``str()`` says why; ``status`` is 400 (does not decode), 413 (too large once
    decoded) or 415 (a coding the mock does not read)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def decode(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """The body without its content coding, at most ``limit`` bytes once decoded."""
    coding = (encoding or "identity").strip().lower()
    if coding == "identity" or not raw:
        return raw
    if coding not in SUPPORTED:
        raise UndecodableBody(
            f"Content-Encoding {coding!r} is not read here (send {', '.join(SUPPORTED)})", 415
        )
    try:
        if coding == "zstd":
            decoder = zstd.ZstdDecompressor()
            plain: bytes = decoder.decompress(raw, max_length=limit + 1)
            complete = decoder.eof
        else:
            wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else _deflate_wbits(raw)
            inflater = zlib.decompressobj(wbits)
            plain = inflater.decompress(raw, limit + 1)
            complete = inflater.eof
    except (zstd.ZstdError, zlib.error) as exc:
        raise UndecodableBody(f"body does not decode as Content-Encoding {coding}: {exc}") from exc
    if len(plain) > limit:
        raise UndecodableBody(f"decoded body is larger than {limit} bytes", 413)
    if not complete:
        raise UndecodableBody(f"body does not decode as Content-Encoding {coding}: truncated")
    return plain


def _deflate_wbits(raw: bytes) -> int:
    """``deflate`` is zlib-wrapped by the RFC, raw deflate in some clients' hands."""
    return zlib.MAX_WBITS if raw[:1] == b"\x78" else -zlib.MAX_WBITS
