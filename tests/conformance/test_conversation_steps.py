"""The conversation step kinds on their own, against the reference server: what each
finds wrong and how it says so (the catalog shows them passing on every target)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from conformance.kit import Kit
from conformance.results import ScenarioResult
from conformance.run_context import RunContext, RunOptions
from conformance.scenario import load
from conformance.steps.model import ModelRequest
from conformance.target import Target
from mock_backend.tenant_handle import MockTenant

from .conftest import REFERENCE

SIGNED_IN = """
backend:
  - mint_tokens: {save: signed_in, email: steps@example.com}
%s
home:
  auth.json: ${signed_in.auth_json}
steps:
  - request: thread/start
    params: {cwd: "${home}", approvalPolicy: untrusted}
    save: thread
  - request: turn/start
    params: {threadId: "${thread.thread.id}", input: [{type: text, text: hello}]}
%s
"""


@pytest.fixture(scope="module")
def kit() -> Iterator[Kit]:
    with Kit(Target(argv=REFERENCE), timeout=5.0) as opened:
        yield opened


def run(kit: Kit, tmp_path: Path, backend: str, steps: str) -> ScenarioResult:
    path = tmp_path / "steps.yaml"
    path.write_text("title: steps\n" + SIGNED_IN % (backend, steps))
    return kit.run(load(path))


def test_model_request_says_what_the_model_was_not_sent(kit: Kit, tmp_path: Path) -> None:
    result = run(
        kit,
        tmp_path,
        "  - model_response: {text: plain}",
        """  - item: agentMessage
    streamed: true
  - model_request: 1
    expect:
      auth: {bearer: live, issued_by_tenant: true}
      conversation: {$some: {type: function_call_output}}
  - model_request: 2
    timeout: 0.5""",
    )
    assert [(f.fault, f.kind, f.step) for f in result.failures] == [
        ("server", "mismatch", "step 3 item agentMessage"),
        ("server", "mismatch", "step 4 model_request"),
        ("server", "mismatch", "step 5 model_request"),
    ], result.explain()
    streamed, sent, second = (f.message for f in result.failures)
    assert streamed.startswith("agentMessage item msg-") and "completed without a delta" in streamed
    assert sent.startswith(
        'model request 1: $.conversation: no element matches {"type": "function_call_output"}'
    )
    assert second == "the model was asked 1 time(s) after 0.5 s; expected a request number 2"


def test_an_approval_answered_with_an_error_is_declined(kit: Kit, tmp_path: Path) -> None:
    result = run(
        kit,
        tmp_path,
        """  - model_response:
      tool_call: {name: exec_command, arguments: {cmd: printf never-runs}}
  - model_response: {text: ok}""",
        """  - server_request: item/commandExecution/requestApproval
    respond_error: {code: -32603, message: the client could not ask}
  - item: commandExecution
    expect: {status: declined, aggregatedOutput: null}
  - notification: turn/completed
    expect: {turn: {status: completed}}""",
    )
    assert result.outcome == "passed", result.explain()


def test_a_home_file_naming_nothing_saved_is_the_kits_fault(kit: Kit, tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("title: t\nhome:\n  auth.json: ${nobody.auth_json}\nsteps:\n  - sleep: 0\n")
    (failure,) = kit.run(load(path)).failures
    assert (failure.fault, failure.kind) == ("kit", "setup")
    assert failure.message.startswith("home file auth.json: ${nobody.auth_json} names nothing")


def test_the_conversation_example_of_the_docs_runs(kit: Kit, tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "conformance.md").read_text()
    section = docs[docs.index("### Conversations") :]
    start = section.index("```yaml\n") + len("```yaml\n")
    example = section[start : section.index("```", start)]
    path = tmp_path / "example.yaml"
    path.write_text("title: the docs' example\n" + example)
    result = kit.run(load(path))
    assert result.outcome == "passed", result.explain()


class GrowingLog:
    """A control client whose model request log grows by one record per poll."""

    def __init__(self, kinds: list[str]) -> None:
        self.arriving = [
            {"seq": n, "kind": kind, "at": 10.0 * n, "input": []} for n, kind in enumerate(kinds, 1)
        ]
        self.log: list[dict[str, Any]] = []
        self.asked: list[int] = []

    def model_requests(self, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        self.asked.append(since)
        if self.arriving:
            self.log.append(self.arriving.pop(0))
        return [dict(r) for r in self.log if r["seq"] > since]


def test_model_request_asks_only_for_what_came_since_its_last_poll(tmp_path: Path) -> None:
    control = GrowingLog(["turn", "prewarm", "turn"])
    run = RunContext(
        cast(Target, None),
        cast(MockTenant, SimpleNamespace(control=control)),
        tmp_path,
        RunOptions(schema=None, timeout=5.0),
    )
    ModelRequest(model_request=2, save="second").execute(run)
    assert run.failures == []
    assert control.asked == [0, 1, 2]  # each poll after the last seq read
    assert run.saved["second"]["seq"] == 3  # the prewarm (seq 2) is not counted
    assert run.saved["second"]["seconds_since_previous"] == 20.0
