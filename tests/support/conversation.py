"""Helpers for turns: a signed-in CODEX_HOME, one turn driven to its end, and a
:class:`Chat` (a server, its home and the mock model it talks to) for side-by-side tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_backend.auth_file import write_auth_json
from mock_backend.model_handle import MockModel
from mock_backend.tenant_handle import MockTenant
from tests.support.app_server import AppServer

Message = dict[str, Any]


def sign_in(codex_home: Path, tenant: MockTenant, plan_type: str = "pro") -> dict[str, Any]:
    """Write an ``auth.json`` with tokens the tenant minted: codex starts signed in."""
    minted = tenant.control.mint_tokens(email="turns@example.com", plan_type=plan_type)
    write_auth_json(codex_home, minted)
    return minted


def start_thread(server: AppServer, codex_home: Path, **params: Any) -> Message:
    reply = server.call(
        "thread/start",
        {"cwd": str(codex_home), "approvalPolicy": "untrusted", "sandbox": "read-only", **params},
    )
    assert "result" in reply, reply
    result: Message = reply["result"]
    return result


@dataclass
class Turn:
    """Everything the server sent during one turn, in order."""

    messages: list[Message] = field(default_factory=list)

    def notifications(self, method: str) -> list[Message]:
        return [m["params"] for m in self.messages if m.get("method") == method and "id" not in m]

    def completed_items(self, kind: str) -> list[Message]:
        return [
            p["item"] for p in self.notifications("item/completed") if p["item"]["type"] == kind
        ]

    @property
    def result(self) -> Message:
        params: Message = self.notifications("turn/completed")[-1]["turn"]
        return params

    @property
    def retries(self) -> list[Message]:
        """Reconnects and the websocket fallback: none in a turn that went straight through."""
        errors = [p for p in self.notifications("error") if p.get("willRetry")]
        return errors + self.notifications("warning")


def run_turn(
    server: AppServer,
    thread_id: str,
    text: str,
    decision: str | dict[str, Any] = "accept",
    timeout: float = 30.0,
) -> Turn:
    """Start a turn and read until ``turn/completed``, answering approval requests."""
    turn = Turn()
    session = server.session
    request_id = session.request(
        "turn/start", {"threadId": thread_id, "input": [{"type": "text", "text": text}]}
    )
    while True:
        message = session.expect(lambda m: True, "the next message of the turn", timeout)
        turn.messages.append(message)
        if message.get("id") == request_id and "error" in message:
            raise AssertionError(f"turn/start failed: {message}")
        if str(message.get("method", "")).endswith("/requestApproval") and "id" in message:
            session.respond(message["id"], result={"decision": decision})
        if message.get("method") == "turn/completed":
            return turn


def agent_texts(turn: Turn) -> list[str]:
    return [item["text"] for item in turn.completed_items("agentMessage")]


def model_input(request: dict[str, Any]) -> list[dict[str, Any]]:
    """What a model request carried, the whole conversation even when it was chained."""
    items: list[dict[str, Any]] = request.get("full_input") or request["input"]
    return items


def tool_outputs(request: dict[str, Any]) -> list[str]:
    outputs = [i for i in model_input(request) if i.get("type") == "function_call_output"]
    return [str(i["output"]) for i in outputs]


@dataclass
class Chat:
    """One server in a test, signed in, with the mock model it talks to."""

    which: str
    server: AppServer
    home: Path
    model: MockModel
    tenant: MockTenant

    def thread(self, **params: Any) -> str:
        thread_id: str = start_thread(self.server, self.home, **params)["thread"]["id"]
        return thread_id

    def turn(
        self,
        thread_id: str,
        text: str,
        decision: str | dict[str, Any] = "accept",
        timeout: float = 30,
    ) -> Turn:
        return run_turn(self.server, thread_id, text, decision, timeout)

    def call(self, method: str, params: Any) -> Message:
        return self.server.call(method, params)


StartChat = Callable[..., Chat]
