"""``/_mock/*``: the control API tests and people use to drive the backend.

Every path exists at the root (the default tenant) and under ``/t/{tenant}``; a
tenant sees only its own codes, scripts, faults and journal. This table is the
one declaration of the API: ids, paths, bodies and query parameters, from which
``GET /_mock/routes`` and the OpenAPI document are derived. The handlers live in
one module per thing they control.
"""

from __future__ import annotations

from pydantic import BaseModel

from ...control_models import ClockAdvance, SettingsUpdate, TenantCreate, UsageBody
from ...faults import Fault
from ...model.catalog import CatalogBody
from ...model.forms import ScriptedResponse
from ...model.model_state import ModelSettings
from ...personas import PersonaFields
from ...scripts import Script, ScriptRequest
from .. import Handler, Route
from . import accounts, codes, conditions, discovery, journal_reset, model, plan

#: Every control path starts here (``/t/{tenant}/_mock`` for a tenant).
PREFIX = "/_mock"


def control(
    name: str,
    method: str,
    path: str,
    handler: Handler,
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: tuple[str, ...] = (),
) -> Route:
    """A control route: id ``control_NAME``, under :data:`PREFIX`, and never journaled
    (the journal records what the tenant's clients did, not what its tests asked)."""
    return Route(
        f"control_{name}",
        method,
        PREFIX + path,
        handler,
        summary,
        journaled=False,
        query=query,
        body=body,
        body_required=body_required,
    )


_CODE = "/device-codes/{user_code}"

ROUTES = [
    control("index", "GET", "", discovery.index, "This tenant's endpoints and settings."),
    control("routes", "GET", "/routes", discovery.list_routes, "Route ids."),
    control("codes", "GET", "/device-codes", codes.list_codes, "Device codes.", query=("state",)),
    control("code", "GET", _CODE, codes.get_code, "One code."),
    control(
        "approve",
        "POST",
        f"{_CODE}/approve",
        codes.approve,
        "Approve a code.",
        body=PersonaFields,
        body_required=False,
    ),
    control("deny", "POST", f"{_CODE}/deny", codes.deny, "Deny a code."),
    control("expire", "POST", f"{_CODE}/expire", codes.expire, "Expire a code."),
    control(
        "code_script", "PUT", f"{_CODE}/script", codes.rescript, "Script a live code.", body=Script
    ),
    control("script_get", "GET", "/script", plan.get_plan, "The plan."),
    control(
        "script_put", "PUT", "/script", plan.replace_plan, "Replace the plan.", body=ScriptRequest
    ),
    control(
        "script_post", "POST", "/script", plan.queue_script, "Queue a script.", body=ScriptRequest
    ),
    control("script_delete", "DELETE", "/script", plan.clear_plan, "Clear the plan."),
    control("settings_get", "GET", "/settings", conditions.get_settings, "Settings."),
    control(
        "settings_put",
        "PUT",
        "/settings",
        conditions.put_settings,
        "Change settings.",
        body=SettingsUpdate,
    ),
    control("faults_get", "GET", "/faults", conditions.list_faults, "Active faults."),
    control("faults_post", "POST", "/faults", conditions.add_fault, "Inject a fault.", body=Fault),
    control("faults_delete", "DELETE", "/faults", conditions.clear_faults, "Clear faults."),
    control(
        "journal",
        "GET",
        "/journal",
        journal_reset.journal,
        "The journal.",
        query=("since", "route", "user_code", "flag", "limit"),
    ),
    control("reset", "POST", "/reset", journal_reset.reset, "Reset this tenant."),
    control("clock_get", "GET", "/clock", conditions.get_clock, "The clock."),
    control(
        "clock_advance",
        "POST",
        "/clock/advance",
        conditions.advance_clock,
        "Advance the clock.",
        body=ClockAdvance,
    ),
    control(
        "tokens",
        "POST",
        "/tokens",
        accounts.mint_tokens,
        "Mint tokens for a persona.",
        body=PersonaFields,
        body_required=False,
    ),
    control("accounts", "GET", "/accounts", accounts.list_accounts, "Accounts logged in."),
    control(
        "usage_put", "PUT", "/usage", accounts.put_usage, "Serve this usage body.", body=UsageBody
    ),
    control("usage_delete", "DELETE", "/usage", accounts.delete_usage, "Default usage body."),
    control(
        "tenants_post",
        "POST",
        "/tenants",
        accounts.create_tenant,
        "Create a tenant.",
        body=TenantCreate,
        body_required=False,
    ),
    control(
        "tenants_get", "GET", "/tenants", accounts.list_tenants, "Tenant names, counts, limits."
    ),
    control(
        "tenant_delete",
        "DELETE",
        "/tenants/{name}",
        accounts.delete_tenant,
        "Delete a tenant and everything it holds (not the default one).",
    ),
    control("openapi", "GET", "/openapi.json", discovery.openapi, "This document."),
    control(
        "model_responses_post",
        "POST",
        "/model/responses",
        model.add_response,
        "Queue a scripted model response (first in, first out).",
        body=ScriptedResponse,
    ),
    control(
        "model_responses_get",
        "GET",
        "/model/responses",
        model.list_responses,
        "The queued model responses.",
    ),
    control(
        "model_responses_delete",
        "DELETE",
        "/model/responses",
        model.clear_responses,
        "Clear the queue of model responses.",
    ),
    control(
        "model_requests",
        "GET",
        "/model/requests",
        model.list_requests,
        "Every model request, decoded: what the model saw.",
        query=("since", "limit"),
    ),
    control(
        "model_catalog_get",
        "GET",
        "/model/catalog",
        model.get_catalog,
        "The model catalog served at /backend-api/codex/models.",
    ),
    control(
        "model_catalog_put",
        "PUT",
        "/model/catalog",
        model.put_catalog,
        "Serve these catalog entries instead.",
        body=CatalogBody,
    ),
    control(
        "model_catalog_delete",
        "DELETE",
        "/model/catalog",
        model.reset_catalog,
        "Serve the mock models again.",
    ),
    control(
        "model_settings_get",
        "GET",
        "/model/settings",
        model.get_settings,
        "How the model endpoint behaves (websocket upgrade, auth).",
    ),
    control(
        "model_settings_put",
        "PUT",
        "/model/settings",
        model.put_settings,
        "Change how the model endpoint behaves.",
        body=ModelSettings,
    ),
]
