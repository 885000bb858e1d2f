"""The OpenAPI document of the backend: upstream routes and the control API.

Request bodies of the control API come from the same pydantic models that
validate them, so the document cannot drift from the code; the upstream routes
are described by small hand-written schemas of the fields the codex client sends.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from .control_models import ClockAdvance, SettingsUpdate, TenantCreate, UsageBody
from .faults import Fault
from .personas import PLAN_TYPES, PersonaFields
from .routes import Route, model_control
from .scripts import Script, ScriptRequest

_JSON_MODELS: dict[str, type[BaseModel]] = {
    "control_approve": PersonaFields,
    "control_code_script": Script,
    "control_script_put": ScriptRequest,
    "control_script_post": ScriptRequest,
    "control_settings_put": SettingsUpdate,
    "control_faults_post": Fault,
    "control_clock_advance": ClockAdvance,
    "control_tokens": PersonaFields,
    "control_usage_put": UsageBody,
    "control_tenants_post": TenantCreate,
    **model_control.BODY_MODELS,
}
_OPTIONAL_BODY = {"control_approve", "control_tokens", "control_tenants_post"}

_STR = {"type": "string"}
_UPSTREAM_BODIES: dict[str, tuple[str, dict[str, Any]]] = {
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
_QUERY: dict[str, list[str]] = {
    "oauth_authorize": [
        "response_type",
        "client_id",
        "redirect_uri",
        "code_challenge",
        "code_challenge_method",
        "state",
        "scope",
    ],
    "device_page": ["user_code"],
    "control_codes": ["state"],
    "control_journal": ["since", "route", "user_code", "flag", "limit"],
    "codex_models": ["client_version"],
    **model_control.QUERY,
}
_BEARER = {"accounts_check", "usage", "codex_responses", "codex_responses_ws"}


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
        for name in _QUERY.get(route.id, [])
    ]
    if route.id in _BEARER:
        params.append({"name": "Authorization", "in": "header", "required": False, "schema": _STR})
    if params:
        op["parameters"] = params
    model = _JSON_MODELS.get(route.id)
    if model is not None:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components[name] = definition
        components[model.__name__] = schema
        op["requestBody"] = {
            "required": route.id not in _OPTIONAL_BODY,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    elif route.id in _UPSTREAM_BODIES:
        content_type, body_schema = _UPSTREAM_BODIES[route.id]
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
