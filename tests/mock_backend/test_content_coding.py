"""Request bodies with a Content-Encoding are decoded by the mock, within a size limit:
a body that lies about its coding gets a 400 in its route's error shape (it used to
be a 500, or aiohttp's bare ``400 deflate``), a bomb a 413, an unknown coding a 415."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from backports import zstd

from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.content_coding import UndecodableBody, decode
from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient

PLAIN = json.dumps({"client_id": CODEX_CLIENT_ID}).encode()


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("zstd", zstd.compress(PLAIN)),
        ("gzip", gzip.compress(PLAIN, mtime=0)),
        ("deflate", zlib.compress(PLAIN)),
        ("deflate", _raw_deflate(PLAIN)),
        ("identity", PLAIN),
        (None, PLAIN),
    ],
    ids=["zstd", "gzip", "deflate-zlib", "deflate-raw", "identity", "none"],
)
def test_each_coding_decodes(encoding: str | None, packed: bytes) -> None:
    assert decode(packed, encoding, 1024) == PLAIN


@pytest.mark.parametrize(
    ("encoding", "packed", "status", "says"),
    [
        ("zstd", b"garbage", 400, "does not decode as Content-Encoding zstd"),
        ("gzip", b"garbage", 400, "does not decode as Content-Encoding gzip"),
        ("deflate", b"\x78garbage", 400, "does not decode as Content-Encoding deflate"),
        ("gzip", gzip.compress(PLAIN, mtime=0)[:-12], 400, "truncated"),
        ("zstd", zstd.compress(b"{" + b" " * 5000 + b"}"), 413, "larger than 1024 bytes"),
        ("gzip", gzip.compress(b" " * 10_000_000, mtime=0), 413, "larger than 1024 bytes"),
        ("br", b"x", 415, "'br' is not read here"),
    ],
    ids=[
        "zstd-garbage",
        "gzip-garbage",
        "deflate-garbage",
        "truncated",
        "zstd-bomb",
        "gzip-bomb",
        "br",
    ],
)
def test_what_does_not_decode_says_why(
    encoding: str, packed: bytes, status: int, says: str
) -> None:
    with pytest.raises(UndecodableBody) as info:
        decode(packed, encoding, 1024)
    assert info.value.status == status and says in str(info.value)


@pytest.mark.parametrize(
    ("encoding", "status"), [("zstd", 400), ("gzip", 400), ("deflate", 400), ("br", 415)]
)
def test_a_body_that_lies_about_its_coding_gets_an_oauth_error(
    device: DeviceClient, mock_tenant: MockTenant, encoding: str, status: int
) -> None:
    reply = http.post(
        f"{device.issuer}/api/accounts/deviceauth/usercode",
        data=b"not compressed at all",
        headers={"Content-Type": "application/json", "Content-Encoding": encoding},
    )
    assert reply.status == status, reply.text
    assert reply.json["error"] == "invalid_request"
    assert encoding in reply.json["error_description"]
    packed = http.post(
        f"{device.issuer}/api/accounts/deviceauth/usercode",
        data=gzip.compress(PLAIN, mtime=0),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert packed.status == 200, packed.text
    assert [e["status"] for e in mock_tenant.control.journal()] == [reply.status, 200]
