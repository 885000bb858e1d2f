"""A throw-away test CA and the certificate the proxy presents for the real hosts.

Generated per backend with trustme and written to the backend's state folder;
binaries trust it through ``CODEX_CA_CERTIFICATE``. Nothing is installed into a
system trust store.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from .config import INTERCEPTED_HOSTS


@dataclass(frozen=True)
class TestCertificates:
    ca_pem: Path
    server_context: ssl.SSLContext


def make_certificates(folder: Path, extra_hosts: tuple[str, ...] = ()) -> TestCertificates:
    import trustme

    ca = trustme.CA(organization_name="codex-app-server-kit mock backend")
    leaf = ca.issue_cert(*INTERCEPTED_HOSTS, *extra_hosts, "127.0.0.1", "localhost", "::1")
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    context.set_alpn_protocols(["http/1.1"])
    return TestCertificates(ca_pem=ca_pem, server_context=context)
