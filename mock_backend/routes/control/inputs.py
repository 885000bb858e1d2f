"""Reading a control request: its JSON body as the model its route declares, its query.

The body model is declared once, on the route (the OpenAPI document reads it
there); a handler names the model it expects so that its code is typed, and a
handler that reads another model than its route declares fails loudly.
"""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ...http_io import body
from ...oauth_errors import OAuthError, invalid_request
from ...validation_text import dotted, location, validation_text
from .. import ROUTE

M = TypeVar("M", bound=BaseModel)


def model_body(request: web.Request, model: type[M]) -> M:
    """The body as ``model``; a 400 naming each bad field; ``{}`` when optional and absent."""
    route = request[ROUTE]
    if route.body is not model:
        raise RuntimeError(
            f"route {route.id} declares the body {route.body!r}; its handler reads {model!r}"
        )
    value = body(request)
    if value is None:
        if route.body_required:
            raise invalid_request(f"a JSON body ({model.__name__}) is required")
        value = {}
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        details = [{"field": location(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        text = validation_text(exc, lambda error: dotted(error, "body"))
        raise OAuthError("invalid_request", text, extra={"details": details}) from exc


def int_query(request: web.Request, name: str, default: int | None) -> int | None:
    """A non-negative integer query parameter, or a 400 saying what is wrong with it."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid_request(f"{name} must be an integer") from exc
    if value < 0:
        raise invalid_request(f"{name} must not be negative")
    return value
