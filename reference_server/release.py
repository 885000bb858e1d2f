"""The upstream release the reference server speaks for: its version, as the binary
reports it (``userAgent``, ``cliVersion``, the catalog's ``client_version``)."""

VERSION = "0.163.0"
