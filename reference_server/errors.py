"""Typed errors: what handlers and login flows raise.

None of them knows JSON-RPC. :mod:`reference_server.jsonrpc` alone turns them into error
answers (upstream's codes, the messages as raised), and any other exception into -32603
``internal error`` with its traceback on stderr.
"""

from __future__ import annotations


class InvalidRequest(Exception):
    """The request cannot be served as asked: bad params, an unknown method, a refusal.

    Upstream answers all of these with the same code (-32600), whatever the cause.
    """


class InternalError(Exception):
    """The server tried and could not: a backend that fails, a file that cannot be written."""


class LoginFailed(Exception):
    """Ends a login in the background with ``success: false`` and this message."""


class ClientAnsweredError(Exception):
    """The client answered a server request with an error."""


def os_error_text(exc: OSError) -> str:
    """``Is a directory (os error 21)``: how upstream words a file operation that failed."""
    if exc.errno is None or exc.strerror is None:
        return str(exc) or type(exc).__name__
    return f"{exc.strerror} (os error {exc.errno})"
