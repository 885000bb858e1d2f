"""The upstream release the reference server speaks for: its version, as the binary
reports it (``userAgent``, ``cliVersion``, the catalog's ``client_version``)."""

import os
import sys

VERSION = "0.163.0"


def user_agent(client: str, client_version: str) -> str:
    """``name/version (os release; arch) terminal (name; client version)``, the form
    0.163.0 gives ``initialize``'s ``userAgent`` and its model requests' ``User-Agent``
    (the official SDK parses the ``name/version`` head); our terminal part names us."""
    uname = os.uname()
    return (
        f"{client}/{VERSION} ({uname.sysname} {uname.release}; {uname.machine}) "
        f"reference-server/python-{sys.version_info[0]}.{sys.version_info[1]} "
        f"({client}; {client_version})"
    )


def version_text() -> str:
    """What ``reference-app-server --version`` prints: the kit's version (from the
    installed metadata) and the release the server speaks as."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    found = "unknown"
    for distribution in packages_distributions().get("reference_server", []):
        try:
            found = version(distribution)
            break
        except PackageNotFoundError:
            continue
    return f"reference-app-server (codex-app-server-kit) {found}; speaks as codex {VERSION}"
