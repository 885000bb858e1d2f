"""/_mock/model/*: queue, catalog, settings, scenario files; and the other backend
calls codex makes once signed in (catalog, MCP, plugins, analytics)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_backend import ControlError
from mock_backend.model.catalog import DEFAULT_MODEL
from mock_backend.model.forms import ScriptedResponse
from mock_backend.model_handle import MockModel
from mock_backend.scenario_file import ScenarioError, load_scenario
from mock_backend.server import MockBackend
from mock_backend.tenant_handle import MockTenant
from tests.support import http


def test_queue_list_and_clear(mock_tenant: MockTenant) -> None:
    control = mock_tenant.control
    assert control.queue_model_response(text="one") == 1
    assert control.queue_model_response({"status": 500}, repeat=3) == 2
    queued = control.model_responses()
    assert queued == [{"text": "one", "remaining": 1}, {"status": 500, "repeat": 3, "remaining": 3}]
    assert control.clear_model_responses() == 2
    assert control.model_responses() == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"text": "x", "stream": "sometimes"}, "stream"),
        ({"items": [{"tool_call": {"name": "exec_command"}}]}, "items.0.tool_call"),
        ({"failed": {"code": "boom"}}, "failed.code"),
        ({"status": 700}, "status"),
    ],
)
def test_malformed_scripts_are_refused_naming_the_field(
    mock_tenant: MockTenant, form: dict[str, object], field: str
) -> None:
    with pytest.raises(ControlError) as info:
        mock_tenant.control.queue_model_response(form)
    assert info.value.status == 400
    assert field in {d["field"] for d in info.value.body["details"]}
    assert mock_tenant.control.model_responses() == []


def test_the_fixture_validates_before_sending(mock_model: MockModel) -> None:
    with pytest.raises(ValueError, match="tool_call"):
        mock_model.respond({"tool_call": {"name": "x"}})
    mock_model.respond(ScriptedResponse(text="ok"), {"text": "second"})
    assert [r["text"] for r in mock_model.control.model_responses()] == ["ok", "second"]


def test_catalog_default_replace_and_reset(mock_tenant: MockTenant, mock_model: MockModel) -> None:
    url = mock_tenant.ready.issuer + "/backend-api/codex/models?client_version=0.163.0"
    served = http.get(url).json["models"]
    assert served[0]["slug"] == DEFAULT_MODEL
    assert min(served, key=lambda m: m["priority"])["slug"] == DEFAULT_MODEL
    own = [{**served[0], "slug": "team-model", "display_name": "Team"}]
    assert mock_model.catalog(own) == own
    assert http.get(url).json == {"models": own}
    with pytest.raises(ControlError) as info:
        mock_model.catalog([{"display_name": "no slug"}])
    assert "models[0].slug" in str(info.value)
    assert mock_model.catalog(None)[0]["slug"] == DEFAULT_MODEL


def test_settings_and_reset(mock_tenant: MockTenant, mock_model: MockModel) -> None:
    assert mock_model.settings(websocket="426") == {"websocket": "426", "auth": "flag"}
    with pytest.raises(ControlError):
        mock_model.settings(websocket="maybe")
    mock_model.respond({"text": "x"})
    mock_tenant.control.reset()
    assert mock_model.control.request("GET", "/model/settings") == {
        "websocket": "accept",
        "auth": "flag",
    }
    assert mock_model.control.model_responses() == []


def test_scenario_file_scripts_the_model(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "model:\n"
        "  websocket: '426'\n"
        "  auth: enforce\n"
        "  responses:\n"
        "    - {text: Hello, stream: true}\n"
        "    - tool_call: {name: exec_command, arguments: {cmd: ls}}\n"
    )
    backend = MockBackend(scenario=load_scenario(path))
    model = backend.state.tenant("default").model
    assert (model.websocket, model.auth) == ("426", "enforce")
    assert [
        r["text"] if "text" in r else r["tool_call"]["name"] for r in model.queue.snapshot()
    ] == [
        "Hello",
        "exec_command",
    ]


def test_scenario_file_errors_name_the_model_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model:\n  responses:\n    - {text: x, status: 500}\n")
    with pytest.raises(ScenarioError, match=r"model\.responses\.0"):
        load_scenario(path)


def mcp(tenant: MockTenant, body: object) -> http.Reply:
    return http.post(tenant.ready.issuer + "/backend-api/ps/mcp", json_body=body)


def test_codex_apps_mcp_server_is_empty_but_alive(mock_tenant: MockTenant) -> None:
    init = mcp(
        mock_tenant,
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "x"}},
    )
    assert init.json["result"]["protocolVersion"] == "x"
    assert init.json["result"]["capabilities"] == {"tools": {"listChanged": False}}
    note = mcp(mock_tenant, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert (note.status, note.text) == (202, "")
    tools = mcp(mock_tenant, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    assert tools.json == {"jsonrpc": "2.0", "id": 2, "result": {"tools": []}}
    unknown = mcp(mock_tenant, {"jsonrpc": "2.0", "id": 3, "method": "tools/call"})
    assert unknown.json["error"]["code"] == -32601
    batch = mcp(mock_tenant, [{"jsonrpc": "2.0", "id": 4, "method": "ping"}, {"method": "x"}])
    assert batch.json == [{"jsonrpc": "2.0", "id": 4, "result": {}}]
    assert http.get(mock_tenant.ready.issuer + "/backend-api/ps/mcp").status == 405


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "plugins/featured?platform=codex", []),
        (
            "GET",
            "ps/plugins/installed?limit=200",
            {"plugins": [], "pagination": {"next_page_token": None}},
        ),
        (
            "GET",
            "ps/plugins/list?scope=GLOBAL",
            {"plugins": [], "pagination": {"next_page_token": None}},
        ),
        ("GET", "ps/plugins/suggested/codex?scope=GLOBAL", {"enabled": False, "plugins": []}),
        ("GET", "wham/settings/user", {}),
        ("POST", "codex/analytics-events/events", {}),
    ],
)
def test_benign_answers(mock_tenant: MockTenant, method: str, path: str, expected: object) -> None:
    url = mock_tenant.ready.issuer + "/backend-api/" + path
    reply = http.request(method, url, json_body={"events": []} if method == "POST" else None)
    assert (reply.status, reply.json) == (200, expected)


def test_openapi_bodies_of_the_model_routes_derive_from_the_forms() -> None:
    from mock_backend.app import ALL_ROUTES
    from mock_backend.routes.openapi import build_openapi

    document = build_openapi(ALL_ROUTES)
    post = document["paths"]["/_mock/model/responses"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ScriptedResponse"
    expected = ScriptedResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    expected.pop("$defs")
    assert document["components"]["schemas"]["ScriptedResponse"] == expected
    for path in ("/_mock/model/requests", "/_mock/model/catalog", "/_mock/model/settings"):
        assert path in document["paths"]
