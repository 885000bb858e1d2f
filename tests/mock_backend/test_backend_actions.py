"""The backend actions a scenario can take: each one does what its docs row says, and
docs/conformance.md's table is the registry's own."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mock_backend import BackendConfig, BackendThread, ControlError
from mock_backend.backend_actions import BACKEND_ACTIONS, _CatalogOrMock, docs_table
from mock_backend.routes.control import ROUTES as CONTROL_ROUTES
from mock_backend.tenant_handle import MockTenant

from .conftest import DeviceClient

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"


def test_the_docs_table_is_the_registry() -> None:
    assert docs_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/conformance.md's backend-action table differs from the registry: replace it "
        "with the output of `python -m mock_backend.backend_actions`"
    )


@pytest.fixture(scope="module")
def own_backend() -> Iterator[BackendThread]:
    # Its own backend: advance_clock moves a clock every tenant shares.
    with BackendThread(BackendConfig(proxy=False)) as backend:
        yield backend


@pytest.fixture
def tenant(own_backend: BackendThread) -> MockTenant:
    return MockTenant.of(own_backend.tenant(f"actions-{secrets.token_hex(4)}"))


def perform(tenant: MockTenant, name: str, args: Any) -> dict[str, Any]:
    return BACKEND_ACTIONS[name].perform(tenant, args)


def test_script_and_queue_script_shape_the_plan(tenant: MockTenant) -> None:
    assert perform(tenant, "script", {"outcome": "denied"}) == {}
    perform(tenant, "queue_script", {"outcome": "approved", "count": 2})
    plan = tenant.control.request("GET", "/script")
    assert plan["default"]["outcome"] == "denied"
    assert [(e["outcome"], e["count"]) for e in plan["queue"]] == [("approved", 2)]


def test_fault_settings_and_usage(tenant: MockTenant) -> None:
    perform(tenant, "fault", {"route": "usercode", "kind": "status", "status": 503})
    assert [f["route"] for f in tenant.control.request("GET", "/faults")["faults"]] == ["usercode"]
    perform(tenant, "settings", {"interval": 7})
    assert tenant.control.request("GET", "/settings")["interval"] == 7
    perform(tenant, "usage", {"plan_type": "team"})
    minted = perform(tenant, "mint_tokens", {})["minted"]
    device = DeviceClient(tenant)
    assert device.backend_get("wham/usage", minted["access_token"]).json == {"plan_type": "team"}


def test_mint_tokens_saves_under_the_name_given(tenant: MockTenant) -> None:
    saved = perform(tenant, "mint_tokens", {"save": "ada", "email": "ada@example.com"})
    assert list(saved) == ["ada"]
    assert saved["ada"]["persona"]["email"] == "ada@example.com"
    assert saved["ada"]["refresh_token"].startswith("rt_")


@pytest.mark.parametrize(
    ("name", "args", "state"),
    [
        ("approve", {"email": "grace@example.com"}, "approved"),
        ("approve", None, "approved"),
        ("deny", None, "denied"),
        ("expire", None, "expired"),
    ],
)
def test_decisions_take_a_code_or_a_code_and_persona(
    tenant: MockTenant, name: str, args: dict[str, Any] | None, state: str
) -> None:
    code = DeviceClient(tenant).new_code()["user_code"]
    perform(tenant, name, code if args is None else {"user_code": code, **args})
    (snapshot,) = tenant.control.device_codes()
    assert snapshot["state"] == state
    if args is not None:
        assert snapshot["persona"]["email"] == args["email"]


def test_a_decision_with_a_persona_it_cannot_take_is_refused(tenant: MockTenant) -> None:
    code = DeviceClient(tenant).new_code()["user_code"]
    with pytest.raises(TypeError):
        perform(tenant, "deny", {"user_code": code, "email": "x@example.com"})


def test_advance_clock_moves_the_backend_clock(tenant: MockTenant) -> None:
    before = tenant.control.request("GET", "/clock")["offset"]
    perform(tenant, "advance_clock", "90")
    assert tenant.control.request("GET", "/clock")["offset"] == before + 90


def test_revoke_ends_a_refresh_token(tenant: MockTenant) -> None:
    minted = perform(tenant, "mint_tokens", {})["minted"]
    perform(tenant, "revoke", minted["refresh_token"])
    reply = DeviceClient(tenant).refresh(minted["refresh_token"])
    assert reply.status == 401
    assert reply.json["error"] == "refresh_token_invalidated"


def test_control_refusals_surface_as_control_errors(tenant: MockTenant) -> None:
    with pytest.raises(ControlError):
        perform(tenant, "script", {"outcome": "no-such-outcome"})


def test_mint_tokens_also_saves_an_auth_json_that_signs_in_with_them(tenant: MockTenant) -> None:
    minted = perform(tenant, "mint_tokens", {"save": "me", "plan_type": "pro"})["me"]
    auth = json.loads(minted["auth_json"])
    assert auth["auth_mode"] == "chatgpt"
    assert auth["tokens"] == {
        "id_token": minted["id_token"],
        "access_token": minted["access_token"],
        "refresh_token": minted["refresh_token"],
        "account_id": minted["persona"]["account_id"],
    }
    assert auth["last_refresh"].endswith("Z")


def test_the_model_actions_script_the_tenants_model(tenant: MockTenant) -> None:
    assert perform(tenant, "model_response", {"text": "hi", "stream": True}) == {}
    perform(tenant, "model_response", {"status": 429})
    queued = tenant.control.model_responses()
    assert [(q.get("text"), q.get("stream"), q.get("status")) for q in queued] == [
        ("hi", True, None),
        (None, None, 429),
    ]
    perform(tenant, "model_settings", {"websocket": "426"})
    assert tenant.control.request("GET", "/model/settings") == {
        "websocket": "426",
        "auth": "flag",
    }
    entry = tenant.control.request("GET", "/model/catalog")["models"][1]
    perform(tenant, "model_catalog", {"models": [entry]})
    assert [m["slug"] for m in tenant.control.request("GET", "/model/catalog")["models"]] == [
        "mock-model-fast"
    ]
    perform(tenant, "model_catalog", None)
    assert tenant.control.request("GET", "/model/catalog")["default"] is True


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("model_response", {"text": "a", "status": 500}),
        ("model_settings", {"auth": "strict"}),
        ("model_catalog", {"models": [{"display_name": "no slug"}]}),
        ("script", {"anything": "goes"}),
        ("queue_script", {"outcome": "approved", "count": "many"}),
        ("fault", {"route": "oauth_token"}),
        ("settings", {"interval": "soon"}),
    ],
)
def test_actions_taking_a_control_body_check_its_form(name: str, args: Any) -> None:
    with pytest.raises(ValidationError):
        BACKEND_ACTIONS[name].check(args)


def test_an_action_taking_a_control_body_is_that_routes_form_and_path() -> None:
    """Derived from the control table: a body or path changed there changes here."""
    routes = {f"{r.method} {r.path}": r for r in CONTROL_ROUTES}
    derived = 0
    for action in BACKEND_ACTIONS.values():
        named = [key for key in routes if f"`{key}`" in action.argument]
        if named:
            (key,) = named
            assert action.form in (routes[key].body, _CatalogOrMock), action.name
            derived += 1
    assert derived == 8
    BACKEND_ACTIONS["approve"].check({"anything": "goes"})  # no form: the control API checks
