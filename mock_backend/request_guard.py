"""Who may talk to the mock: requests for a host it answers as, and no cross-site writes.

The mock listens on loopback only, but a web page in the person's browser can still
reach loopback: through DNS rebinding (``attacker.example`` made to resolve to
127.0.0.1, so the browser sends ``Host: attacker.example`` and lets the page read the
answers: the journal holds refresh tokens, codes and PKCE verifiers), or with a plain
cross-site form POST (which the browser sends without asking; the page cannot read the
answer, but the approval page would approve a code). So, before any route runs:

* the ``Host`` must name a loopback address (``127.0.0.0/8``, ``::1``, ``localhost``),
  the host the mock listens on, or a host the proxy intercepts (``auth.openai.com``,
  ``chatgpt.com`` and ``BackendConfig.extra_hosts``), which is what arrives through the
  proxy. A rebinding page's own name is refused on every route.
* a request that changes something (any method but GET, HEAD and OPTIONS) and a
  websocket upgrade are refused when the browser says they come from another site:
  an ``Origin`` whose host is not one of the above (``null`` included), or, without an
  ``Origin``, ``Sec-Fetch-Site: cross-site``. Clients that are not browsers (codex,
  curl, the control client) send neither header and are not affected; a page the mock
  served itself sends its own origin.

GET navigations are not origin-checked: a person may follow a link to the approval
page from anywhere, and without CORS headers no other site can read an answer.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .refusals import Refusal

LOOPBACK_NAMES = frozenset({"localhost"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_HOSTS_KEPT = 64
#: host[:port]: a DNS name or an IPv4 address, or an IPv6 address in brackets.
_HOST = re.compile(r"^(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::\d{1,5})?$")


def host_name(host: str) -> str | None:
    """The name in a ``Host`` header value (lower case, brackets and final dot gone);
    None when it is not a plain host[:port]."""
    match = _HOST.match(host)
    if match is None:
        return None
    name = match.group("ip6") or match.group("name")
    return name.lower().rstrip(".")


class RequestGuard:
    """The Host and Origin rules of one backend: the names it answers as."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = LOOPBACK_NAMES | frozenset(n.lower().strip("[]") for n in names)
        #: Host values already judged (clients send the same few); bounded.
        self._hosts: dict[str, bool] = {}

    def host_allowed(self, host: str) -> bool:
        known = self._hosts.get(host)
        if known is None:
            known = self.allowed(host_name(host))
            if len(self._hosts) < _HOSTS_KEPT:
                self._hosts[host] = known
        return known

    def allowed(self, name: str | None) -> bool:
        if name is None:
            return False
        if name in self.names:
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    def refusal(self, method: str, headers: Mapping[str, str]) -> Refusal | None:
        """Why this request is refused, or None to serve it."""
        host = headers.get("Host")
        if host is not None and not self.host_allowed(host):
            return Refusal(
                403,
                "foreign_host",
                f"Host {host[:100]!r} is not served here: the mock answers as a loopback "
                f"address or as {', '.join(sorted(self.names - LOOPBACK_NAMES))} through "
                "its proxy (a page that made its own name point at 127.0.0.1 is refused)",
            )
        upgrade = headers.get("Upgrade", "").lower() == "websocket"
        if method.upper() in _SAFE_METHODS and not upgrade:
            return None
        origin = headers.get("Origin")
        if origin is not None:
            if self.allowed(_origin_host(origin)):
                return None
            return _cross_site(f"Origin {origin[:100]!r}")
        if headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            return _cross_site("Sec-Fetch-Site: cross-site")
        return None


_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def _origin_host(origin: str) -> str | None:
    """The host of a web origin (``scheme://host[:port]``); None for ``null`` or junk."""
    try:
        parts = urlsplit(origin)
        return parts.hostname if parts.scheme in _SCHEMES else None
    except ValueError:
        return None


def _cross_site(what: str) -> Refusal:
    return Refusal(
        403,
        "cross_site_request",
        f"refused a cross-site request ({what}): a page of another site may not change "
        "anything here; use the page the mock serves, or a client that is not a browser",
    )
