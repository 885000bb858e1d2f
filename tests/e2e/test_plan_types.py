"""The plans a persona can have are the plans the newest vendored release knows (its own
generated schema; tests/conformance/test_bundles.py holds each vendored bundle to what its
binary generates)."""

from __future__ import annotations

import json

from conformance.bundles import BUNDLES, versions
from mock_backend.personas import PLAN_TYPES


def test_persona_plans_are_the_newest_releases_plan_types() -> None:
    newest = versions()[-1]
    schema = json.loads((BUNDLES / newest / "v2" / "GetAccountResponse.json").read_text())
    known = schema["definitions"]["PlanType"]["enum"]
    assert [p for p in known if p != "unknown"] == list(PLAN_TYPES)
