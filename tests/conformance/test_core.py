"""The kit's parts on their own: matchers, schema verdicts, scenario files, baselines."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.baseline import Baseline, BaselineError
from conformance.bundles import vendored, versions
from conformance.capabilities import CAPABILITIES, LOGIN_CAPABILITY
from conformance.matching import TemplateError, mismatches, substitute
from conformance.report import RunReport
from conformance.results import Failure, ScenarioResult
from conformance.scenario import ScenarioFileError, load
from conformance.schema_check import SchemaCheck

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("expected", "actual", "problem"),
    [
        ({"loginId": None}, {}, "$.loginId: missing (expected null)"),
        ({"loginId": None}, {"login_id": None}, "the server sent 'login_id' instead"),
        ({"$exact": {"a": 1}}, {"a": 1, "b": 2}, "$: unexpected keys ['b']"),
        ({"a": "$uuid"}, {"a": "not-a-uuid"}, "$.a: expected $uuid"),
        ({"a": "$absent"}, {"a": 1}, "$.a: must be absent, got 1"),
        ({"a": [1, 2]}, {"a": [1]}, "$.a: expected 2 items, got 1"),
        ({"a": True}, {"a": 1}, "$.a: expected true, got 1"),
        ({"a": "$regex:^x\\d$"}, {"a": "x10"}, "$.a: expected $regex:^x\\d$"),
        ({"$some": {"t": 2}}, [{"t": 1}], 'no element matches {"t": 2} among 1'),
        ({"wait": "$at_least:1"}, {"wait": 0.5}, "$.wait: expected $at_least:1, got 0.5"),
        ({"wait": "$at_most:1"}, {"wait": "2"}, '$.wait: expected $at_most:1, got "2"'),
        ({"$some": 1}, {"t": 1}, "$: expected a list"),
        ({"$none": {"t": 1}}, [{"t": 2}, {"t": 1}], '$[1]: matches {"t": 1}, and no element may'),
        ({"$any_of": ["a", "b"]}, "c", '$: matches none of 2 alternatives ($: expected "a", got'),
    ],
)
def test_a_mismatch_says_where_and_why(expected: object, actual: object, problem: str) -> None:
    assert any(problem in line for line in mismatches(expected, actual)), mismatches(
        expected, actual
    )


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ({"a": "$any"}, {"a": None, "b": 1}),
        ({"a": "$int"}, {"a": 3}),
        ({"a": 1.0}, {"a": 1}),
        ({"a": "$prefix:Invalid request"}, {"a": "Invalid request: x"}),
        ({"a": "$uuid"}, {"a": "6f1c9a52-4d9e-4a55-9b5b-2f3f3f3f3f3f"}),
        ({"a": {"$some": {"t": "$contains:hi"}}}, {"a": [{"t": "no"}, {"t": "oh hi", "u": 1}]}),
        ({"$none": {"t": 1}}, [{"t": 2}, {"u": 1}]),
        ({"wait": "$at_least:0.9", "n": "$at_most:3"}, {"wait": 1.02, "n": 3}),
        ({"$any_of": [{"result": {}}, {"error": {"code": 1}}]}, {"error": {"code": 1, "m": ""}}),
    ],
)
def test_matching_values_have_no_mismatch(expected: object, actual: object) -> None:
    assert mismatches(expected, actual) == []


def test_templates_keep_types_and_name_what_is_missing() -> None:
    saved = {"started": {"loginId": "L1", "n": 3}}
    assert substitute({"id": "${started.loginId}", "n": "${started.n}"}, saved) == {
        "id": "L1",
        "n": 3,
    }
    assert substitute("login ${started.loginId}!", saved) == "login L1!"
    with pytest.raises(TemplateError, match=r"\$\{first.loginId\} names nothing saved"):
        substitute("${first.loginId}", saved)


def test_schema_verdicts_name_the_method_path_and_rule() -> None:
    schema = vendored("0.163.0")
    missing, renamed = schema.validate(
        "GetAccountResponse",
        {"account": {"type": "chatgpt", "email": "a@b", "plan_type": "pro"},
         "requiresOpenaiAuth": True},
        "account/read",
        "result",
    )  # fmt: skip
    assert (missing.method, missing.path, missing.rule, missing.level) == (
        "account/read",
        "$.result.account",
        "required",
        "error",
    )
    assert "'planType' is a required property" in str(missing)
    assert (renamed.path, renamed.rule, renamed.level) == (
        "$.result.account.plan_type",
        "renamed-field",
        "error",
    )
    assert "looks like the declared field `planType` renamed" in str(renamed)
    assert schema.validate("AccountUpdatedNotification", {"authMode": "nope"}, "x", "params")


def test_the_reference_schema_and_the_release_bundle_agree_on_verdicts() -> None:
    reference = SchemaCheck(ROOT / "schema" / "reference", "reference")
    value = {"loginId": None, "success": "yes", "error": None}
    for schema in (vendored("0.163.0"), reference):
        verdicts = schema.validate("AccountLoginCompletedNotification", value, "m", "params")
        assert [(v.rule, v.path, v.level) for v in verdicts] == [("type", "$.params.success",
                                                                  "error")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title: t\nsteps: []\n", "steps: List should have at least 1 item"),
        ("title: t\nsteps:\n  - {request: a, notify: b}\n", "exactly one action"),
        (
            "title: t\nsteps:\n  - {request: a, expectt: 1}\n",
            "step 1 (request): expectt: not a qualifier of request (it takes params, id,",
        ),
        (  # a qualifier of another kind: `within` is no_message's
            "title: t\nsteps:\n  - {request: a}\n  - {notification: b, within: 1}\n",
            "step 2 (notification): within: not a qualifier of notification",
        ),
        ("title: t\nsteps:\n  - just text\n", "step 1: a step is a mapping with one action"),
        ("title: t\nsteps:\n  - {stop: true, timeout: 3}\n", "timeout: not a qualifier of stop"),
        ("title: t\nsteps:\n  - {request: a, expect: $strng}\n", "unknown matcher '$strng'"),
        ("id: other\ntitle: t\nsteps:\n  - {request: a}\n", "must be the file name"),
        ("- just a list\n", "holds a mapping"),
        ("title: t\nsteps:\n  - {request: a, wait: false}\n", "`wait: false` is for"),
        ("title: t\nbackend:\n  - {scrip: {}}\nsteps:\n  - {request: a}\n", "got ['scrip']"),
        ("title: t\nsteps:\n  - backend: {approve: X, deny: Y}\n", "a backend action is one"),
        (  # model scripts are checked when loaded, through the control API's own form
            "title: t\nbackend:\n  - model_response: {text: hi, stream: maybe}\nsteps:\n"
            "  - {request: a}\n",
            "model_response: stream: Input should be a valid boolean",
        ),
        (
            "title: t\nsteps:\n  - backend: {model_response: {tool_call: {name: x}}}\n",
            "step 1 (backend): backend: Value error, model_response: tool_call: Value error, "
            "give exactly one of arguments (function call) or input (custom)",
        ),
        (
            "title: t\nsteps:\n  - backend: {model_settings: {websocket: 500}}\n",
            "model_settings: websocket: Input should be 'accept', '426' or '404'",
        ),
        (
            "title: t\nsteps:\n  - {server_request: m, respond: {}, answer: none}\n",
            "give one of respond, respond_error, answer; got ['respond', 'answer']",
        ),
        ("title: t\nsteps:\n  - {request: a, expect: {$som: [1]}}\n", "unknown matcher '$som'"),
        ("title: t\nsteps:\n  - {request: a, expect: {$some: 1, b: 2}}\n", "$some stands alone"),
        ("title: t\nsteps:\n  - {model_request: 0}\n", "greater than or equal to 1"),
    ],
)
def test_a_bad_scenario_file_is_a_clear_error(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioFileError, match=r"bad\.yaml") as caught:
        load(path)
    assert error in str(caught.value)


def result(outcome: str, *messages: str) -> ScenarioResult:
    failures = [Failure("server", "mismatch", m) for m in messages]
    return ScenarioResult("s1", outcome, 0.1, failures)  # type: ignore[arg-type]


def baseline(tmp_path: Path, extra: str = "") -> Baseline:
    path = tmp_path / "b.yaml"
    path.write_text(
        "server: x\nentries:\n  - scenario: s1\n    reason: a known deviation\n" + extra
    )
    return Baseline.load(path)


def test_a_baseline_entry_expects_a_failure_strictly(tmp_path: Path) -> None:
    known = baseline(tmp_path)
    assert known.judge(result("failed", "boom")).outcome == "xfailed"
    stale = known.judge(result("passed"))
    assert stale.outcome == "failed" and stale.failures[0].kind == "stale"
    other = ScenarioResult("s2", "failed", 0.1, [])
    assert known.judge(other).outcome == "failed"


def test_a_baseline_match_covers_only_the_failures_it_names(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "server: x\nentries:\n  - scenario: s1\n    reason: workspace routing is newer\n"
        "    match: workspaceRouting\n"
    )
    known = Baseline.load(path)
    assert known.judge(result("failed", "$.workspaceRouting: missing")).outcome == "xfailed"
    assert known.judge(result("failed", "$.workspaceRouting", "crash")).outcome == "failed"


def test_an_intermittent_entry_expects_its_failure_but_a_pass_is_not_stale(
    tmp_path: Path,
) -> None:
    known = baseline(tmp_path, "    match: item/completed\n    intermittent: true\n")
    assert known.judge(result("failed", "item/completed after turn/completed")).outcome == (
        "xfailed"
    )
    assert known.judge(result("failed", "a crash")).outcome == "failed"
    lucky = known.judge(result("passed"))
    assert lucky.outcome == "passed"
    assert lucky.reason == "intermittent deviation not seen this run: a known deviation"
    report = RunReport("x", None, "codex-0.133.0", None, results=[lucky])
    assert "  PASSED  s1: intermittent deviation not seen this run: a known deviation" in (
        report.console()
    )
    assert "| passed | 0.10 s | intermittent deviation not seen this run" in report.markdown()


def test_a_bad_baseline_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="listed twice"):
        baseline(tmp_path, "  - scenario: s1\n    reason: the same one again\n")
    short = tmp_path / "short.yaml"
    short.write_text("server: x\nentries:\n  - scenario: s1\n    reason: why\n")
    with pytest.raises(BaselineError, match="reason"):
        Baseline.load(short)
    assert baseline(tmp_path).unknown({"s2"}) == ["s1"]


def test_a_request_the_kit_gets_wrong_is_the_kits_fault(tmp_path: Path) -> None:
    from conformance.kit import Kit
    from conformance.target import Target

    from .conftest import REFERENCE

    path = tmp_path / "sloppy.yaml"
    text = (
        "title: a scenario that forgets its request breaks the schema\nsteps:\n"
        "  - request: account/login/start\n    params: {type: apiKey}\n"
        "    expect: {error: {code: -32600}}\n"
    )
    path.write_text(text)
    flagged = tmp_path / "flagged.yaml"
    flagged.write_text(text.replace("    expect:", "    off_schema: true\n    expect:"))
    with Kit(Target(argv=REFERENCE)) as kit:
        sloppy = kit.run(load(path))
        deliberate = kit.run(load(flagged))
    (failure,) = sloppy.failures
    assert (failure.fault, failure.kind) == ("kit", "schema")
    assert "the kit sent: account/login/start params" in failure.message
    assert deliberate.outcome == "passed", deliberate.explain()


@pytest.mark.parametrize("version", versions())
def test_every_login_kind_a_bundle_declares_has_a_capability(version: str) -> None:
    """A login kind a new release adds fails here until it has a capability to lack."""
    declared = vendored(version).variant_tags("LoginAccountParams")
    assert declared, version
    assert set(declared) <= set(LOGIN_CAPABILITY), f"codex {version} declares {declared}"


def test_login_capabilities_are_the_login_kinds_of_the_bundles() -> None:
    declared = {kind for v in versions() for kind in vendored(v).variant_tags("LoginAccountParams")}
    assert set(LOGIN_CAPABILITY) == declared
    assert len(set(LOGIN_CAPABILITY.values())) == len(LOGIN_CAPABILITY)
    assert len(set(CAPABILITIES)) == len(CAPABILITIES)


def test_capabilities_come_from_the_steps_and_a_lacking_server_skips_them() -> None:
    from conformance.runner import skip_reason
    from conformance.scenario import CATALOG
    from conformance.target import Target

    browser = load(CATALOG / "browser-login-started.yaml")
    limits = load(CATALOG / "rate-limits-revoked-token.yaml")
    assert browser.capabilities == {"browser-login"}
    assert limits.capabilities == {"chatgpt-auth-tokens", "rate-limits"}
    target = Target(argv=["codex", "app-server"])
    assert skip_reason(browser, target, "0.163.0") is None
    assert skip_reason(browser, target, "0.163.0", frozenset({"browser-login"})) == (
        "needs browser-login, which the server lacks (--app-server-lacks)"
    )
    newer = browser.model_copy(update={"requires": browser.requires.model_copy(
        update={"min_version": "0.163.0"})})  # fmt: skip
    assert skip_reason(newer, target, "0.133.0") == (
        "needs codex 0.163.0 or later; the server reports 0.133.0"
    )
    assert skip_reason(newer, target, "0.163.0") is None


def test_a_bug_in_the_kit_is_reported_as_the_kits_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.kit import Kit
    from conformance.scenario import CATALOG
    from conformance.steps.messages import Request
    from conformance.target import Target

    from .conftest import REFERENCE

    def broken_step(*args: object) -> None:
        raise RuntimeError("a bug in a step")

    monkeypatch.setattr(Request, "execute", broken_step)
    with Kit(Target(argv=REFERENCE)) as kit:
        result = kit.run(load(CATALOG / "handshake-required.yaml"))
    (failure,) = result.failures
    assert (failure.fault, failure.kind) == ("kit", "setup")
    assert "the kit failed: RuntimeError('a bug in a step')" in failure.message


def test_paths_in_the_command_mean_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conformance.target import Target, TargetError

    (tmp_path / "servers").mkdir()
    (tmp_path / "servers" / "mine.py").write_text("")
    monkeypatch.chdir(tmp_path)
    target = Target.from_options("python3 servers/mine.py --flag x/y", None)
    assert target.argv is not None
    assert target.argv[1:] == [str(tmp_path / "servers" / "mine.py"), "--flag", "x/y"]
    assert Path(target.argv[0]).is_absolute()
    with pytest.raises(TargetError, match="exactly one of"):
        Target.from_options(None, None)
    with pytest.raises(TargetError, match="ws:// or wss://"):
        Target.from_options(None, "http://127.0.0.1:1")


def test_a_baseline_is_found_by_path_or_packaged_name(tmp_path: Path) -> None:
    assert Baseline.find("codex-0.163.0").source.endswith("baselines/codex-0.163.0.yaml")
    assert Baseline.find(str(baseline(tmp_path).source)).entries.keys() == {"s1"}
    with pytest.raises(BaselineError, match=r"no-such: no such file, nor a packaged .*codex-0"):
        Baseline.find("no-such")


def test_an_answer_to_an_id_never_sent_stops_but_one_to_a_raw_line_does_not() -> None:
    """The judge names the violation that ends a scenario at once, once; an id the kit
    sent in a line of its own making (too deep for it to parse) is one it sent."""
    from conformance.judge import Judge

    judge = Judge(None)
    judge.raw_sent('{"id": "deep", "method": "account/read", "params": {"x": [[[[]]]]}}')
    judge.received({"id": "deep", "error": {"code": -32600, "message": "too deep"}}, None)
    assert judge.problems == []
    assert judge.stopping() is None
    judge.received({"id": 7, "result": {}}, None)
    stop = judge.stopping()
    assert stop is not None and stop.message == "an answer to id 7, which the kit never sent"
    assert judge.stopping() is None  # returned once
    assert judge.problems == [stop]
