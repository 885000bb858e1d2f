"""The plans a persona can have are the plans the real 0.163.0 binary knows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.releases import generate_schema
from mock_backend.personas import PLAN_TYPES

pytestmark = pytest.mark.real_binary


def test_persona_plans_are_the_binarys_plan_types(tmp_path: Path) -> None:
    generate_schema("0.163.0", tmp_path)
    schema = json.loads((tmp_path / "v2" / "GetAccountResponse.json").read_text())
    known = schema["definitions"]["PlanType"]["enum"]
    assert [p for p in known if p != "unknown"] == list(PLAN_TYPES)
