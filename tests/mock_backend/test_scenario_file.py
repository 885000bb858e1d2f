"""--scenario FILE: scripts and settings from YAML or JSON, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_backend.scenario_file import ScenarioError, load_scenario
from mock_backend.scripts import Plan


def test_yaml_scenario_builds_the_plan(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "interval: 0\n"
        "scripts:\n"
        "  - outcome: approved\n"
        "    after_polls: 2\n"
        "    persona: {email: ada@example.com, plan_type: pro}\n"
        "  - outcome: denied\n"
        "    count: 2\n"
        "default:\n"
        "  outcome: expired\n"
    )
    scenario = load_scenario(path)
    plan = Plan()
    scenario.apply(plan)
    taken = [plan.take().outcome.value for _ in range(5)]
    assert taken == ["approved", "denied", "denied", "expired", "expired"]
    assert scenario.interval == 0


def test_json_scenario(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"scripts": [{"outcome": "policy_disabled"}]}))
    plan = Plan()
    load_scenario(path).apply(plan)
    assert plan.take().outcome.value == "policy_disabled"
    assert plan.take().outcome.value == "pending"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scripts:\n  - outcome: sometimes\n", "scripts.0.outcome"),
        ("- just a list\n", "expected a mapping"),
        ("scripts: [\n", "not valid YAML or JSON"),
        ("interval: -1\n", "interval"),
        ("surprise: 1\n", "surprise"),
    ],
)
def test_invalid_scenarios_say_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario(tmp_path / "absent.yaml")


def test_persona_plan_types_match_the_literal() -> None:
    from typing import get_args

    from mock_backend.personas import PLAN_TYPES, PlanType

    assert tuple(get_args(PlanType)) == PLAN_TYPES
