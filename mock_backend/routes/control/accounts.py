"""``/_mock/tenants``, ``/_mock/tokens``, ``/_mock/accounts``, ``/_mock/usage``: who
exists (tenants are made and deleted only here, or from Python), who is logged in,
and what their usage reads."""

from __future__ import annotations

import secrets

from aiohttp import web

from ...control_models import TenantCreate, UsageBody
from ...http_io import SERVER_INFO_KEY, backend, json_response, tenant
from ...personas import PersonaFields
from .inputs import model_body


async def create_tenant(request: web.Request) -> web.StreamResponse:
    spec = model_body(request, TenantCreate)
    name = spec.name or f"t{secrets.token_hex(6)}"
    _, created = backend(request).create_tenant(name)
    ready = request.app[SERVER_INFO_KEY].ready(name)
    return json_response(ready.model_dump(), status=201 if created else 200)


async def delete_tenant(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    backend(request).delete_tenant(name)
    return json_response({"deleted": name})


async def list_tenants(request: web.Request) -> web.StreamResponse:
    state = backend(request)
    return json_response({**state.stats(), "tenants": sorted(state.tenants)})


async def mint_tokens(request: web.Request) -> web.StreamResponse:
    fields = model_body(request, PersonaFields)
    tokens, persona = backend(request).grants.mint_for(tenant(request).name, fields)
    return json_response(
        {
            "id_token": tokens.id_token,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_in": tokens.expires_in,
            "persona": persona.model_dump(),
        },
        status=201,
    )


async def list_accounts(request: web.Request) -> web.StreamResponse:
    accounts = backend(request).grants.accounts_of(tenant(request).name)
    return json_response(
        {
            "accounts": [
                {**a.persona.model_dump(), "workspace_check_fails": a.workspace_failure is not None}
                for a in accounts
            ]
        }
    )


async def put_usage(request: web.Request) -> web.StreamResponse:
    usage = model_body(request, UsageBody)
    tenant(request).usage = usage.model_dump(exclude_unset=True)
    return json_response(tenant(request).usage)


async def delete_usage(request: web.Request) -> web.StreamResponse:
    tenant(request).usage = None
    return json_response({})
