"""OAuth errors as RFC 6749 §5.2 shapes them: ``error`` plus ``error_description``.

Handlers raise :class:`OAuthError`; one middleware turns it into the response,
so no route builds an error body by hand.
"""

from __future__ import annotations

from typing import Any


class OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description, **self.extra}


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def not_found(description: str) -> OAuthError:
    return OAuthError("not_found", description, status=404)
