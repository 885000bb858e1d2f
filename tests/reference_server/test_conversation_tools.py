"""``exec_command`` and its approval round trip, side by side with the real 0.163.0
binary: accept, decline, cancel, policy ``never``, a failing command, a working
directory that does not exist, a tool the server does not have."""

from __future__ import annotations

import pytest

from tests.support.conversation import StartChat, agent_texts, tool_outputs

pytestmark = pytest.mark.real_binary
SERVERS = ["real-0.163.0", "reference"]
ECHO = "echo hi-from-tool"
REJECTED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'


def call(cmd: str, **extra: object) -> dict[str, object]:
    return {"tool_call": {"name": "exec_command", "arguments": {"cmd": cmd, **extra}}}


@pytest.mark.parametrize("which", SERVERS)
@pytest.mark.parametrize("decision", ["accept", "decline", "cancel"])
def test_approval_round_trip(chat: StartChat, which: str, decision: str) -> None:
    session = chat(which)
    thread_id = session.thread(approvalPolicy="untrusted")
    session.model.respond(call(ECHO, yield_time_ms=1000), {"text": "All done."})
    turn = session.turn(thread_id, "run the tool", decision=decision)
    order = [m.get("method") or ("answer" if "result" in m else "?") for m in turn.messages]
    [asked] = [m for m in turn.messages if m.get("method", "").endswith("requestApproval")]
    assert asked["id"] == 0  # the server's request ids count from 0
    params = asked["params"]
    assert params["command"] == f"/bin/bash -lc '{ECHO}'"
    assert params["cwd"] == str(session.home)
    assert params["commandActions"] == [{"type": "unknown", "command": ECHO}]
    assert params["proposedExecpolicyAmendment"] == ["echo", "hi-from-tool"]
    assert params["availableDecisions"][0] == "accept"
    # waiting flag, item announced, question; then resolved before the item completes
    waiting = order.index("item/commandExecution/requestApproval")
    assert order[waiting - 2 : waiting] == ["thread/status/changed", "item/started"]
    flags = [
        m["params"]["status"].get("activeFlags")
        for m in turn.messages
        if m.get("method") == "thread/status/changed"
    ]
    assert ["waitingOnApproval"] in flags
    [resolved] = turn.notifications("serverRequest/resolved")
    assert resolved == {"threadId": thread_id, "requestId": 0}
    [command] = turn.completed_items("commandExecution")
    assert order.index("serverRequest/resolved") < order.index("item/completed", waiting)
    requests = session.model.requests()
    if decision == "accept":
        assert command["status"] == "completed"
        assert command["exitCode"] == 0
        assert command["source"] == "unifiedExecStartup"
        assert command["processId"]
        assert command["aggregatedOutput"].endswith("hi-from-tool\n")
        [output] = tool_outputs(requests[1])
        assert output.startswith("Chunk ID: ")
        assert "\nProcess exited with code 0\n" in output
        assert output.endswith("Output:\n" + command["aggregatedOutput"])
        assert turn.result["status"] == "completed"
        assert agent_texts(turn) == ["All done."]
    elif decision == "decline":
        assert (command["status"], command["exitCode"]) == ("declined", None)
        assert tool_outputs(requests[1]) == [REJECTED]
        assert turn.result["status"] == "completed"
        assert agent_texts(turn) == ["All done."]
    else:
        assert command["status"] == "declined"
        assert len(requests) == 1
        assert (turn.result["status"], turn.result["items"]) == ("interrupted", [])


@pytest.mark.parametrize("which", SERVERS)
def test_policy_never_runs_without_asking(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread(approvalPolicy="never")
    session.model.respond(call("echo out; exit 3"), {"text": "ok"})
    turn = session.turn(thread_id, "fail it")
    assert not [m for m in turn.messages if "requestApproval" in str(m.get("method"))]
    started = [n["item"] for n in turn.notifications("item/started")]
    assert started[1]["source"] == "unifiedExecStartup"
    assert started[1]["processId"]
    [command] = turn.completed_items("commandExecution")
    assert (command["status"], command["exitCode"]) == ("failed", 3)
    assert command["aggregatedOutput"].endswith("out\n")
    [output] = tool_outputs(session.model.requests()[1])
    assert "\nProcess exited with code 3\n" in output


@pytest.mark.parametrize("which", SERVERS)
def test_a_working_directory_that_does_not_exist(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread(approvalPolicy="never")
    session.model.respond(call("pwd", workdir="missing"), {"text": "ok"})
    turn = session.turn(thread_id, "where am I")
    [command] = turn.completed_items("commandExecution")
    why = "Failed to create unified exec process: No such file or directory (os error 2)"
    assert command["cwd"] == str(session.home / "missing")
    assert (command["status"], command["exitCode"], command["processId"]) == ("failed", -1, None)
    assert command["aggregatedOutput"] == why
    [output] = tool_outputs(session.model.requests()[1])
    assert output == f'exec_command failed: CreateProcess {{ message: "Rejected(\\"{why}\\")" }}'
    assert turn.result["status"] == "completed"


@pytest.mark.parametrize("which", SERVERS)
def test_a_tool_the_server_does_not_have(chat: StartChat, which: str) -> None:
    session = chat(which)
    thread_id = session.thread()
    session.model.respond(
        {"tool_call": {"name": "shell_command", "arguments": {"command": "ls"}}}, {"text": "ok"}
    )
    turn = session.turn(thread_id, "list")
    assert [item["type"] for item in (n["item"] for n in turn.notifications("item/started"))] == [
        "userMessage",
        "agentMessage",
    ]
    assert tool_outputs(session.model.requests()[1]) == ["unsupported call: shell_command"]
    assert agent_texts(turn) == ["ok"]


def test_accept_for_the_session_asks_once(chat: StartChat) -> None:
    """The reference server only: the same command again in the thread runs unasked."""
    session = chat("reference")
    thread_id = session.thread(approvalPolicy="untrusted")
    session.model.respond(call(ECHO), {"text": "one"}, call(ECHO), {"text": "two"})
    first = session.turn(thread_id, "first", decision="acceptForSession")
    second = session.turn(thread_id, "second", decision="decline")
    asked = [m for t in (first, second) for m in t.messages if "requestApproval" in str(m)]
    assert len(asked) == 1
    assert [c["status"] for c in second.completed_items("commandExecution")] == ["completed"]


def test_output_streams_as_it_comes(chat: StartChat) -> None:
    """The reference server forwards each piece of output while the command still runs."""
    session = chat("reference")
    thread_id = session.thread(approvalPolicy="never")
    session.model.respond(call("echo one; sleep 0.3; echo two"), {"text": "ok"})
    turn = session.turn(thread_id, "stream it")
    deltas = [n["delta"] for n in turn.notifications("item/commandExecution/outputDelta")]
    assert deltas[-1] == "two\n"  # its own delta: sent before the command ended
    assert deltas[-2].endswith("one\n")  # (a login shell may print something first)
    [command] = turn.completed_items("commandExecution")
    assert command["aggregatedOutput"] == "".join(deltas)
