"""The route table is the one declaration of what the backend serves: the control
handlers read exactly the bodies their entries declare, and the OpenAPI document's
hand-written upstream parts name routes that exist."""

from __future__ import annotations

import pytest

from mock_backend.app import ALL_ROUTES
from mock_backend.routes import Route, control
from mock_backend.routes.openapi import BEARER_ROUTES, UPSTREAM_BODIES, build_openapi
from mock_backend.tenant_handle import MockTenant
from tests.support import http

from .conftest import DeviceClient

CONTROL = [r for r in ALL_ROUTES if r in control.ROUTES]


def test_control_routes_are_declared_once_with_their_defaults() -> None:
    assert CONTROL == control.ROUTES
    assert all(r.id.startswith("control_") and r.path.startswith("/_mock") for r in CONTROL)
    assert not any(r.journaled for r in CONTROL)
    assert len({(r.method, r.path) for r in ALL_ROUTES}) == len(ALL_ROUTES)


@pytest.mark.parametrize("route", CONTROL, ids=lambda r: r.id)
def test_each_control_handler_reads_the_body_its_entry_declares(
    route: Route, device: DeviceClient, mock_tenant: MockTenant
) -> None:
    # A handler that reads another body than its entry declares answers 500; an empty
    # object is a valid or a refused body, never an internal error.
    code = device.new_code()["user_code"]
    path = route.path.replace("{user_code}", code).removeprefix("/_mock")
    reply = http.request(route.method, mock_tenant.ready.control + path, json_body={})
    assert reply.status < 500, f"{route.id}: {reply.status} {reply.text[:300]}"
    if route.body is not None and route.body_required:
        # Required bodies are refused when missing, with the model named.
        bare = http.request(route.method, mock_tenant.ready.control + path)
        assert bare.status == 400, f"{route.id}: {bare.status} {bare.text[:300]}"
        assert route.body.__name__ in bare.json["error_description"]


def test_the_document_describes_each_declared_body_and_query() -> None:
    document = build_openapi(ALL_ROUTES)
    for route in ALL_ROUTES:
        path = route.path.replace("{tail:.*}", "{tail}")
        operation = document["paths"][path]["get" if route.method == "*" else route.method.lower()]
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        assert queries == list(route.query), route.id
        if route.body is not None:
            body = operation["requestBody"]
            assert body["required"] is route.body_required, route.id
            ref = body["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith(f"/{route.body.__name__}"), route.id


def test_hand_written_upstream_parts_name_real_routes() -> None:
    ids = {r.id for r in ALL_ROUTES}
    assert set(UPSTREAM_BODIES).issubset(ids)
    assert BEARER_ROUTES.issubset(ids)
