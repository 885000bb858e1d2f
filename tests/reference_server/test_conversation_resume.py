"""A thread outlives its server: the rollout under ``CODEX_HOME/sessions`` brings it back
with ``thread/resume`` after a restart, side by side with the real 0.163.0 binary."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.conversation import StartChat, agent_texts, model_input

pytestmark = pytest.mark.real_binary
SERVERS = ["real-0.163.0", "reference"]
ROLLOUT = re.compile(
    r"sessions/\d{4}/\d\d/\d\d/rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-(.+)\.jsonl$"
)


@pytest.mark.parametrize("which", SERVERS)
def test_resume_after_a_restart(chat: StartChat, which: str) -> None:
    first = chat(which)
    thread_id = first.thread()
    first.model.respond({"text": "the first answer"})
    assert agent_texts(first.turn(thread_id, "first question")) == ["the first answer"]
    path = first.call("thread/read", {"threadId": thread_id})["result"]["thread"]["path"]
    match = ROLLOUT.search(path)
    assert match is not None and match.group(1) == thread_id
    first.server.close()

    again = chat(which, home=first.home)
    stored = again.call("thread/read", {"threadId": thread_id, "includeTurns": True})["result"]
    assert stored["thread"]["status"] == {"type": "notLoaded"}  # read from disk, not loaded
    assert [t["status"] for t in stored["thread"]["turns"]] == ["completed"]
    resumed = again.call("thread/resume", {"threadId": thread_id})["result"]
    assert resumed["thread"]["id"] == thread_id
    assert resumed["thread"]["preview"] == "first question"
    assert resumed["model"] == "mock-model"
    [turn] = resumed["thread"]["turns"]
    assert (turn["status"], turn["itemsView"]) == ("completed", "full")
    assert [item["type"] for item in turn["items"]] == ["userMessage", "agentMessage"]
    assert turn["items"][1]["text"] == "the first answer"
    status = again.server.notification("thread/status/changed")["params"]
    assert status == {"threadId": thread_id, "status": {"type": "idle"}}

    again.model.respond({"text": "the second answer"})
    assert agent_texts(again.turn(thread_id, "second question")) == ["the second answer"]
    said = [
        part.get("text")
        for item in model_input(again.model.requests()[-1])
        if item.get("type") == "message"
        for part in item["content"]
    ]
    assert said.index("first question") < said.index("the first answer")
    assert said.index("the first answer") < said.index("second question")
    read = again.call("thread/read", {"threadId": thread_id, "includeTurns": True})["result"]
    assert len(read["thread"]["turns"]) == 2


def test_the_rollout_is_json_lines_in_upstreams_envelope(chat: StartChat) -> None:
    session = chat("reference")
    thread_id = session.thread()
    session.model.respond({"text": "recorded"})
    session.turn(thread_id, "remember this")
    [path] = (session.home / "sessions").rglob(f"rollout-*-{thread_id}.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert {tuple(sorted(r)) for r in records} == {("payload", "timestamp", "type")}
    kinds = [r["type"] for r in records]
    assert kinds[0] == "session_meta"
    assert records[0]["payload"]["id"] == thread_id
    events = [r["payload"]["type"] for r in records if r["type"] == "event_msg"]
    assert events == ["task_started", "item_completed", "item_completed", "task_complete"]
    items = [r["payload"] for r in records if r["type"] == "response_item"]
    assert [i.get("role") for i in items] == ["user", "user", "assistant"]  # context, ask, answer


def test_an_ephemeral_thread_leaves_nothing_behind(chat: StartChat) -> None:
    session = chat("reference")
    started = session.call("thread/start", {"cwd": str(session.home), "ephemeral": True})
    thread = started["result"]["thread"]
    assert (thread["ephemeral"], thread["path"]) == (True, None)
    session.model.respond({"text": "gone"})
    assert agent_texts(session.turn(thread["id"], "hello")) == ["gone"]
    assert not (session.home / "sessions").exists()


@pytest.mark.parametrize("which", SERVERS)
@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_a_command_the_turn_ran_is_kept(chat: StartChat, which: str, decision: str) -> None:
    """A command that ran joins its turn (``thread/read``, the rollout, ``thread/resume``);
    one the client declined is only announced. ``turn/completed`` summarises either way."""
    first = chat(which)
    thread_id = first.thread(approvalPolicy="untrusted")
    tool = {"name": "exec_command", "arguments": {"cmd": "echo kept"}}
    first.model.respond({"tool_call": tool}, {"text": "ran it"})
    turn = first.turn(thread_id, "run it", decision=decision)
    [announced] = turn.completed_items("commandExecution")
    assert [item["type"] for item in turn.result["items"]] == ["agentMessage"]
    kept = ["userMessage", "commandExecution", "agentMessage"]
    if decision == "decline":
        kept.remove("commandExecution")
    read = first.call("thread/read", {"threadId": thread_id, "includeTurns": True})["result"]
    [items] = [t["items"] for t in read["thread"]["turns"]]
    assert [item["type"] for item in items] == kept
    assert announced in items or decision == "decline"
    first.server.close()

    again = chat(which, home=first.home)
    resumed = again.call("thread/resume", {"threadId": thread_id})["result"]
    [items] = [t["items"] for t in resumed["thread"]["turns"]]
    assert [item["type"] for item in items] == kept
    if decision == "accept":
        assert items[1] == announced
        assert (announced["status"], announced["aggregatedOutput"]) == ("completed", "kept\n")
