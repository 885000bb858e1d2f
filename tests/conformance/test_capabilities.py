"""One definition of the conversation's methods: the capability a request needs
(``--app-server-lacks conversation``) and the surface docs/releases.md files a schema
finding under agree on every method of every vendored bundle."""

from __future__ import annotations

from pathlib import Path

from conformance.capabilities import CONVERSATION, method_capability
from conformance.compat.loader import MAPS, load
from conformance.matrix.release_notes import surface_of

VENDORED = Path(__file__).resolve().parents[2] / "conformance" / "vendored"


def test_conversation_capability_and_surface_agree_on_every_vendored_method() -> None:
    checked = 0
    for bundle in sorted(VENDORED.iterdir()):
        schema = load(str(bundle))
        for map_name in MAPS:
            for method in schema.methods(map_name):
                in_surface = surface_of({"method": method}) == CONVERSATION
                assert (method_capability(method) == CONVERSATION) == in_surface, method
                checked += in_surface
    assert checked > 100  # threads, turns, items of four releases


def test_approval_requests_and_model_list_are_the_conversation() -> None:
    for method in ("item/commandExecution/requestApproval", "model/list", "turn/start"):
        assert method_capability(method) == CONVERSATION
    assert method_capability("account/read") is None
    assert method_capability("account/rateLimits/read") == "rate-limits"
