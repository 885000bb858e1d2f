"""The upstream release the reference server speaks for: its version, as the binary
reports it (``userAgent``, ``cliVersion``, the catalog's ``client_version``)."""

VERSION = "0.163.0"


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
