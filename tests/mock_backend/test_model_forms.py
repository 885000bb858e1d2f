"""Scripted model responses: what is accepted, and what is refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mock_backend.model.forms import ScriptedResponse


def fields_of(error: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in error.errors()}


@pytest.mark.parametrize(
    "form",
    [
        {"text": "hi"},
        {"text": "hi", "stream": True, "deltas": 3, "usage": {"input_tokens": 3}},
        {"reasoning": "hmm", "text": "answer"},
        {"tool_call": {"name": "exec_command", "arguments": {"cmd": "ls"}}},
        {"tool_call": {"name": "apply_patch", "input": "*** Begin Patch\n*** End Patch"}},
        {"items": [{"text": "a"}, {"tool_call": {"name": "x", "arguments": {}}}]},
        {"status": 429, "body": {"error": {"type": "usage_limit_reached"}}},
        {"failed": {"code": "context_length_exceeded"}},
        {"text": "x", "when": {"input_contains": "deploy"}, "repeat": 2, "cut_after": 1},
        {"text": "x", "rate_limits": {"primary": {"used_percent": 5, "window_minutes": 300}}},
    ],
)
def test_accepted_forms(form: dict[str, Any]) -> None:
    assert ScriptedResponse.model_validate(form).model_dump(exclude_defaults=True) == form


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({}, ""),
        ({"text": "x", "status": 500}, ""),
        ({"text": "x", "items": [{"text": "y"}]}, ""),
        ({"body": {"a": 1}, "text": "x"}, ""),
        ({"status": 200}, "status"),
        ({"items": [{"text": "x", "reasoning": "y"}]}, "items.0"),
        ({"items": []}, "items"),
        ({"tool_call": {"name": "exec_command"}}, "tool_call"),
        ({"tool_call": {"name": "x", "arguments": {}, "input": "y"}}, "tool_call"),
        ({"failed": {"code": "no_such_code"}}, "failed.code"),
        ({"text": "x", "usage": {"input_tokens": -1}}, "usage.input_tokens"),
        ({"text": "x", "rate_limits": {"primary": {}}}, "rate_limits.primary.used_percent"),
        ({"text": "x", "when": {"input_contains": ""}}, "when.input_contains"),
        ({"text": "x", "colour": "red"}, "colour"),
        ({"text": "x", "deltas": 0}, "deltas"),
    ],
)
def test_refused_forms_name_the_field(form: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ScriptedResponse.model_validate(form)
    assert field in fields_of(info.value)


def test_shorthand_expands_in_a_fixed_order() -> None:
    script = ScriptedResponse.model_validate(
        {
            "tool_call": {"name": "exec_command", "arguments": {"cmd": "ls"}},
            "text": "t",
            "reasoning": "r",
            "stream": True,
        }
    )
    items = script.output_items()
    assert [(i.reasoning, i.text, i.tool_call is not None) for i in items] == [
        ("r", None, False),
        (None, "t", False),
        (None, None, True),
    ]
    assert [i.stream for i in items] == [True, True, False]
