"""The OpenAPI document of the backend, derived from its route table.

Paths, query parameters and the control API's request bodies come from the
:class:`Route` entries, and those bodies from the pydantic models that validate
them, so the document cannot drift from the code; the upstream routes' bodies are
described by small hand-written schemas of the fields the codex client sends.
"""

from __future__ import annotations

import re
from typing import Any

from ..personas import PLAN_TYPES
from . import Route

_STR = {"type": "string"}
UPSTREAM_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "usercode": (
        "application/json",
        {"type": "object", "properties": {"client_id": _STR}, "required": ["client_id"]},
    ),
    "device_token": (
        "application/json",
        {
            "type": "object",
            "properties": {"device_auth_id": _STR, "user_code": _STR},
            "required": ["device_auth_id", "user_code"],
        },
    ),
    "oauth_token": (
        "application/x-www-form-urlencoded",
        {
            "type": "object",
            "properties": {
                "grant_type": {
                    "type": "string",
                    "enum": ["authorization_code", "refresh_token", "client_credentials"],
                },
                "code": _STR,
                "redirect_uri": _STR,
                "client_id": _STR,
                "code_verifier": _STR,
                "refresh_token": _STR,
            },
            "required": ["grant_type"],
        },
    ),
    "oauth_revoke": (
        "application/json",
        {
            "type": "object",
            "properties": {"token": _STR, "token_type_hint": _STR, "client_id": _STR},
            "required": ["token"],
        },
    ),
    "oauth_authorize_decide": (
        "application/x-www-form-urlencoded",
        {
            "type": "object",
            "properties": {
                "request_id": _STR,
                "decision": {"type": "string", "enum": ["approve", "deny"]},
                "email": _STR,
                "name": _STR,
                "plan_type": {"type": "string", "enum": list(PLAN_TYPES)},
            },
            "required": ["request_id", "decision"],
        },
    ),
    "codex_responses": (
        "application/json",
        {
            "type": "object",
            "properties": {
                "model": _STR,
                "input": {"type": "array"},
                "previous_response_id": _STR,
                "stream": {"type": "boolean"},
            },
            "required": ["model", "input"],
        },
    ),
    "apps_mcp": (
        "application/json",
        {
            "type": "object",
            "properties": {
                "jsonrpc": {"type": "string", "enum": ["2.0"]},
                "id": {"type": "integer"},
                "method": _STR,
                "params": {"type": "object"},
            },
            "required": ["jsonrpc", "method"],
        },
    ),
    "device_page_submit": (
        "application/x-www-form-urlencoded",
        {
            "type": "object",
            "properties": {
                "user_code": _STR,
                "decision": {"type": "string", "enum": ["approve", "deny"]},
                "name": _STR,
                "email": _STR,
                "plan_type": {"type": "string", "enum": list(PLAN_TYPES)},
                "account_id": _STR,
            },
        },
    ),
}
BEARER_ROUTES = {"accounts_check", "usage", "codex_responses", "codex_responses_ws"}


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": route.id,
        "summary": route.summary,
        "tags": ["control" if route.id.startswith("control") else "upstream"],
        "responses": {
            "default": {
                "description": "JSON (errors as RFC 6749 error / error_description) or HTML",
            }
        },
    }
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)(?::[^}]*)?}", route.path)
    ]
    params += [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in route.query
    ]
    if route.id in BEARER_ROUTES:
        params.append({"name": "Authorization", "in": "header", "required": False, "schema": _STR})
    if params:
        op["parameters"] = params
    model = route.body
    if model is not None:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components[name] = definition
        components[model.__name__] = schema
        op["requestBody"] = {
            "required": route.body_required,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    elif route.id in UPSTREAM_BODIES:
        content_type, body_schema = UPSTREAM_BODIES[route.id]
        op["requestBody"] = {"required": True, "content": {content_type: {"schema": body_schema}}}
    return op


def build_openapi(routes: list[Route], server_url: str | None = None) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, Any] = {}
    for route in routes:
        path = re.sub(r"{(\w+):[^}]*}", r"{\1}", route.path)
        method = "get" if route.method == "*" else route.method.lower()
        paths.setdefault(path, {})[method] = _operation(route, components)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Mock ChatGPT auth backend",
            "version": "0.1.0",
            "description": "Upstream routes as the codex binary calls them, and the "
            "/_mock control API. Every path is also served under /t/{tenant}.",
        },
        "paths": paths,
        "components": {"schemas": components},
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
