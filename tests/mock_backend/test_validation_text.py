"""A pydantic error reads the same on every surface that shows one (where, then what),
each surface keeping its own shape: a scenario file one error a line, a control API
400 one line and the errors as ``details``."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_backend.control_client import ControlError
from mock_backend.scenario_file import ScenarioError, load_scenario
from mock_backend.tenant_handle import MockTenant


def test_a_scenario_file_lists_every_error_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("interval: -1\nscripts:\n  - outcome: sometimes\nsurprise: 1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{path}: invalid scenario"
    assert lines[1] == "  interval: Input should be greater than or equal to 0"
    assert lines[2].startswith("  scripts.0.outcome: Input should be 'pending', 'approved', ")
    assert lines[3] == "  surprise: Extra inputs are not permitted"
    assert len(lines) == 4


def test_a_control_body_names_each_field_and_the_body_itself(mock_tenant: MockTenant) -> None:
    with pytest.raises(ControlError) as info:
        mock_tenant.control.request("PUT", "/script", {"outcome": "maybe", "after_polls": -1})
    fields = [(d["field"], d["message"]) for d in info.value.body["details"]]
    assert [field for field, _ in fields] == ["outcome", "after_polls"]
    assert info.value.body["error_description"] == "; ".join(f"{f}: {m}" for f, m in fields)
    with pytest.raises(ControlError) as info:
        mock_tenant.control.request("PUT", "/script", [1])
    [(field, message)] = [(d["field"], d["message"]) for d in info.value.body["details"]]
    assert field == ""
    assert message.startswith("Input should be a valid dictionary")
    assert info.value.body["error_description"] == f"body: {message}"
