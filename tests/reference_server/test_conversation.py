"""Turns through the kit's own client, against the mock's scripted model, side by side:
each test runs on the real 0.163.0 binary and on the reference server, and every
message both ways is judged by the binary's own schema (the ``chat`` fixture).

What only the reference server can show (its retry settings, its command timeout) lives
in ``test_conversation_faults.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.conversation import StartChat, Turn, agent_texts, model_input

pytestmark = pytest.mark.real_binary
SERVERS = ["real-0.163.0", "reference"]
USAGE = {
    "input_tokens": 100,
    "input_tokens_details": {"cached_tokens": 40},
    "output_tokens": 7,
    "output_tokens_details": {"reasoning_tokens": 2},
}


def methods(turn: Turn) -> list[str]:
    """The turn's own notifications in order (its items and status), deltas left out."""
    return [
        str(m["method"])
        for m in turn.messages
        if "id" not in m and (m.get("method") == "thread/status/changed" or m.get("method") in OWN)
    ]


OWN = ("turn/started", "turn/completed", "item/started", "item/completed")


@pytest.mark.parametrize("which", SERVERS)
def test_a_text_turn_in_the_order_the_binary_sends_it(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.model.respond({"text": "Hello from the mock!"})
    turn = session.turn(thread_id, "hello")
    [answer] = [m["result"]["turn"] for m in turn.messages if "result" in m]
    assert (answer["status"], answer["itemsView"], answer["items"]) == (
        "inProgress",
        "notLoaded",
        [],
    )
    assert methods(turn) == [
        "thread/status/changed",
        "turn/started",
        "item/started",
        "item/completed",
        "item/started",
        "item/completed",
        "thread/status/changed",
        "turn/completed",
    ]
    user, reply = (n["item"] for n in turn.notifications("item/completed"))
    assert user["type"] == "userMessage"
    assert user["content"] == [{"type": "text", "text": "hello", "text_elements": []}]
    assert reply == {
        "type": "agentMessage",
        "id": reply["id"],
        "text": "Hello from the mock!",
        "phase": None,
        "memoryCitation": None,
        "delivery": None,
        "questions": None,
    }
    assert turn.result["status"] == "completed"
    assert turn.result["itemsView"] == "summary"
    assert [item["text"] for item in turn.result["items"]] == ["Hello from the mock!"]
    [limits] = turn.notifications("account/rateLimits/updated")
    assert limits["rateLimits"]["limitId"] == "codex"
    assert limits["rateLimits"]["primary"] is None
    [request] = session.model.requests()
    assert request["transport"] == "http"
    assert request["auth"]["bearer"] == "live"
    assert request["auth"]["account_matches"] is True


@pytest.mark.parametrize("which", SERVERS)
def test_streamed_reasoning_usage_and_rate_limits(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    window = {"used_percent": 12.5, "window_minutes": 300, "reset_at": 1_900_000_000}
    session.model.respond(
        {
            "reasoning": "Let me think",
            "text": "Streamed words here",
            "stream": True,
            "usage": USAGE,
            "rate_limits": {"primary": window},
        }
    )
    turn = session.turn(thread_id, "think, then answer")
    deltas = turn.notifications("item/agentMessage/delta")
    assert [d["delta"] for d in deltas] == ["Streamed ", "words ", "here"]
    started = [n["item"] for n in turn.notifications("item/started")]
    assert started[1] == {"type": "reasoning", "id": started[1]["id"], "summary": [], "content": []}
    assert started[2]["text"] == ""  # announced empty, then streamed
    [part] = turn.notifications("item/reasoning/summaryPartAdded")
    assert part["summaryIndex"] == 0
    summary = turn.notifications("item/reasoning/summaryTextDelta")
    assert "".join(d["delta"] for d in summary) == "Let me think"
    assert turn.completed_items("reasoning")[0]["summary"] == ["Let me think"]
    assert agent_texts(turn) == ["Streamed words here"]
    [tokens] = turn.notifications("thread/tokenUsage/updated")
    expected = {
        "totalTokens": 107,
        "inputTokens": 100,
        "cachedInputTokens": 40,
        "cacheWriteInputTokens": 0,
        "outputTokens": 7,
        "reasoningOutputTokens": 2,
    }
    assert tokens["tokenUsage"]["last"] == tokens["tokenUsage"]["total"] == expected
    assert tokens["tokenUsage"]["modelContextWindow"] == 121_600  # 95 % of the catalog's
    [limits] = turn.notifications("account/rateLimits/updated")
    assert limits["rateLimits"]["primary"] == {
        "usedPercent": 13,
        "windowDurationMins": 300,
        "resetsAt": 1_900_000_000,
    }
    order = [m.get("method") for m in turn.messages]
    assert order.index("thread/tokenUsage/updated") < order.index("account/rateLimits/updated")
    assert order.index("account/rateLimits/updated") < order.index("turn/completed")


@pytest.mark.parametrize("which", SERVERS)
def test_two_turns_carry_the_history_and_thread_read_shows_them(
    chat: StartChat, which: str
) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.model.respond({"text": "The first answer."}, {"text": "The second answer."})
    first = session.turn(thread_id, "first question")
    second = session.turn(thread_id, "second question")
    assert agent_texts(first) + agent_texts(second) == ["The first answer.", "The second answer."]
    texts = [
        part.get("text")
        for item in model_input(session.model.requests()[-1])
        if item.get("type") == "message"
        for part in item.get("content", [])
    ]
    assert texts.index("first question") < texts.index("The first answer.")
    assert texts.index("The first answer.") < texts.index("second question")

    read = session.call("thread/read", {"threadId": thread_id, "includeTurns": True})["result"]
    thread = read["thread"]
    assert thread["preview"] == "first question"
    assert thread["status"] == {"type": "idle"}
    assert [t["status"] for t in thread["turns"]] == ["completed", "completed"]
    assert [t["itemsView"] for t in thread["turns"]] == ["full", "full"]
    kinds = [[item["type"] for item in t["items"]] for t in thread["turns"]]
    assert kinds == [["userMessage", "agentMessage"], ["userMessage", "agentMessage"]]
    bare = session.call("thread/read", {"threadId": thread_id})["result"]["thread"]
    assert bare["turns"] == []
    assert bare["path"].endswith(f"-{thread_id}.jsonl")
    assert f"/sessions/{thread['path'].split('/sessions/')[1][:10]}/" in bare["path"]


@pytest.mark.parametrize("which", SERVERS)
def test_model_list_and_the_default_model(chat: StartChat, which: str) -> None:
    session = chat(which)
    listed = session.call("model/list", {})["result"]
    assert [m["id"] for m in listed["data"]] == ["mock-model", "mock-model-fast", "mock-reasoner"]
    assert [m["isDefault"] for m in listed["data"]] == [True, False, False]
    assert listed["nextCursor"] is None
    first = listed["data"][0]
    assert first["displayName"] == "Mock Model"
    assert [e["reasoningEffort"] for e in first["supportedReasoningEfforts"]] == [
        "low",
        "medium",
        "high",
    ]
    page = session.call("model/list", {"limit": 1})["result"]
    assert [m["id"] for m in page["data"]] == ["mock-model"]
    assert page["nextCursor"] is not None
    started = session.call("thread/start", {"cwd": str(session.home)})["result"]
    assert started["model"] == "mock-model"
    assert started["approvalPolicy"] == "on-request"
    assert started["sandbox"] == {"type": "readOnly", "networkAccess": False}
    assert started["thread"]["status"] == {"type": "idle"}
    assert started["thread"]["cliVersion"] == "0.163.0"
    assert (
        session.server.notification("thread/started")["params"]["thread"]["id"]
        == (started["thread"]["id"])
    )


@pytest.mark.parametrize("which", SERVERS)
def test_interrupt_mid_stream(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    words = " ".join(f"word{n}" for n in range(40))
    session.model.respond({"text": words, "stream": True, "chunk_delay_ms": 250})
    wire = session.server.session
    turn_id = wire.response(
        wire.request("turn/start", {"threadId": thread_id, "input": [_text("go")]}), 20
    )["result"]["turn"]["id"]
    wire.expect(lambda m: m.get("method") == "item/agentMessage/delta", "a first delta", 20)
    answer = session.call("turn/interrupt", {"threadId": thread_id, "turnId": turn_id})
    assert answer["result"] == {}
    done = session.server.notification("turn/completed")["params"]["turn"]
    assert (done["status"], done["items"], done["itemsView"]) == ("interrupted", [], "notLoaded")
    completed = [n["params"]["item"] for n in session.server.notifications("item/completed")]
    assert [item["type"] for item in completed] == ["userMessage"]  # the cut answer never ends
    if which == "reference":  # 0.163.0 leaves this one unanswered (docs/DEVIATIONS.md)
        again = session.call("turn/interrupt", {"threadId": thread_id, "turnId": turn_id})
        assert again["error"] == {"code": -32600, "message": "no active turn to interrupt"}

    session.model.respond({"text": "after the interrupt"})
    after = session.turn(thread_id, "next")
    assert agent_texts(after) == ["after the interrupt"]
    texts = [
        item["content"][0].get("text", "")
        for item in model_input(session.model.requests()[-1])
        if item.get("type") == "message"
    ]
    assert any(text.startswith("<turn_aborted>") for text in texts)
    assert texts.index("go") < texts.index("next")
    assert not any(words[:20] in text for text in texts)  # the partial answer is not history
    read = session.call("thread/read", {"threadId": thread_id, "includeTurns": True})["result"]
    assert [t["status"] for t in read["thread"]["turns"]] == ["interrupted", "completed"]


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}
