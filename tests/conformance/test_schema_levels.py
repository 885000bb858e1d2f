"""Findings with levels: what a bundle forbids fails, what it does not declare warns,
a declared field renamed fails, and ``strict_fields`` makes every undeclared field fail."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.bundles import vendored
from conformance.schema_check import Violation

CHATGPT = {"type": "chatgpt", "email": "ada@example.com", "planType": "pro"}


def verdicts(value: Any, type_name: str = "GetAccountResponse", version: str = "0.163.0",
             strict: bool = False) -> list[tuple[str, str, str]]:  # fmt: skip
    found = vendored(version, strict).validate(type_name, value, "account/read", "result")
    return [(v.level, v.rule, v.path) for v in found]


def test_a_valid_message_has_no_findings() -> None:
    assert verdicts({"account": CHATGPT, "requiresOpenaiAuth": True}) == []


def test_a_field_the_bundle_does_not_declare_is_a_warning_with_its_type_and_path() -> None:
    value = {"account": None, "requiresOpenaiAuth": True, "workspaceRouting": None}
    (warning,) = vendored("0.163.0").validate("GetAccountResponse", value, "account/read", "result")
    assert warning == Violation(
        "account/read",
        "result",
        "$.result.workspaceRouting",
        "undeclared-field",
        "`workspaceRouting` is not declared by GetAccountResponse in codex-0.163.0",
        "GetAccountResponse",
        "warning",
    )


def test_strict_fields_makes_every_undeclared_field_fail() -> None:
    value = {"account": None, "requiresOpenaiAuth": True, "workspaceRouting": None}
    assert verdicts(value, strict=True) == [
        ("error", "undeclared-field", "$.result.workspaceRouting")
    ]


def test_a_field_a_newer_release_declares_is_no_finding_there() -> None:
    value = {"account": {**CHATGPT, "workspaceName": "Acme"}, "requiresOpenaiAuth": True,
             "userId": "user-1"}  # fmt: skip
    assert verdicts(value, version="0.169.0") == []
    assert verdicts(value, version="0.163.0") == [
        ("warning", "undeclared-field", "$.result.account.workspaceName"),
        ("warning", "undeclared-field", "$.result.userId"),
    ]


@pytest.mark.parametrize(
    ("value", "path", "declared"),
    [
        # Folds onto a declared field, beside it or instead of it.
        ({"account": None, "requiresOpenaiAuth": True, "requires_openai_auth": True},
         "$.result.requires_openai_auth", "requiresOpenaiAuth"),
        ({"account": {**CHATGPT, "PlanType": "pro"}, "requiresOpenaiAuth": True},
         "$.result.account.PlanType", "planType"),
        # Near a declared optional field that is missing.
        ({"account": {**CHATGPT, "workspace_nam": "Acme"}, "requiresOpenaiAuth": True,
          "userId": None}, "$.result.account.workspace_nam", "workspaceName"),
    ],
)  # fmt: skip
def test_a_declared_field_renamed_fails(value: Any, path: str, declared: str) -> None:
    found = vendored("0.169.0").validate("GetAccountResponse", value, "account/read", "result")
    renamed = [v for v in found if v.rule == "renamed-field"]
    assert [(v.level, v.path) for v in renamed] == [("error", path)], found
    assert f"looks like the declared field `{declared}` renamed" in renamed[0].message


def test_a_near_name_of_a_field_that_is_present_is_only_a_warning() -> None:
    value = {"account": {**CHATGPT, "planTypes": ["pro"]}, "requiresOpenaiAuth": True}
    assert verdicts(value) == [("warning", "undeclared-field", "$.result.account.planTypes")]


def test_what_the_bundle_forbids_fails_in_every_method_of_its_maps() -> None:
    schema = vendored("0.171.0")
    assert schema.server_notifications["configWarning"] == "ConfigWarningNotification"
    found = schema.validate("ConfigWarningNotification", {"summary": 123}, "configWarning",
                            "params")  # fmt: skip
    assert [(v.level, v.rule, v.path) for v in found] == [("error", "type", "$.params.summary")]


def test_maps_and_free_form_objects_have_no_undeclared_keys() -> None:
    limits = {"limitId": "codex", "primary": None, "secondary": None, "credits": None,
              "planType": None}  # fmt: skip
    value = {"rateLimits": limits, "rateLimitsByLimitId": {"any-id": limits, "other": limits}}
    found = vendored("0.163.0").validate(
        "GetAccountRateLimitsResponse", value, "account/rateLimits/read", "result"
    )
    assert [v for v in found if v.rule in ("undeclared-field", "renamed-field")] == []


def test_an_empty_response_type_declares_no_fields() -> None:
    found = vendored("0.163.0").validate("LogoutAccountResponse", {"bye": 1}, "account/logout",
                                         "result")  # fmt: skip
    assert [(v.level, v.path) for v in found] == [("warning", "$.result.bye")]


def test_the_envelope_is_held_to_the_bundles_json_rpc_types() -> None:
    message = {"method": "account/updated", "params": {}, "emittedAtMs": 1}
    found = vendored("0.163.0").validate("JSONRPCNotification", message, "account/updated",
                                         "envelope")  # fmt: skip
    assert [(v.level, v.path, v.schema_type) for v in found] == [
        ("warning", "$.emittedAtMs", "JSONRPCNotification")
    ]
