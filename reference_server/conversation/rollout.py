"""A thread on disk: ``CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl``,
one JSON record per line, appended as the conversation goes, read back by
``thread/resume`` after a restart.

Records use upstream's envelope (``timestamp``, ``type``, ``payload``) and type names:
``session_meta``, ``turn_context``, ``response_item`` (what the model is sent),
``event_msg`` (``task_started``, ``item_completed``, ``task_complete``,
``turn_aborted``, ``error``). Items are written in the protocol's own form; upstream's
``UserMessage`` and ``AgentMessage`` items are read too.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..protocol import items as i
from ..protocol.policy import ApprovalsReviewer, AskForApproval, SandboxMode
from ..protocol.turn import TurnError, TurnStatus
from ..release import VERSION
from .thread_state import PROVIDER, ThreadState, TurnRecord

log = logging.getLogger("reference_server")


def rollout_path(codex_home: Path, thread_id: str, now: float | None = None) -> Path:
    """Where a new thread's rollout goes (local time, as the binary names it)."""
    moment = time.localtime(time.time() if now is None else now)
    day = time.strftime("%Y/%m/%d", moment)
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S", moment)
    return codex_home / "sessions" / day / f"rollout-{stamp}-{thread_id}.jsonl"


def find_rollout(codex_home: Path, thread_id: str) -> Path | None:
    found = sorted((codex_home / "sessions").glob(f"*/*/*/rollout-*-{thread_id}.jsonl"))
    return found[-1] if found else None


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Rollout:
    """Appends records to one thread's file. A write that fails is logged, never fatal:
    the conversation goes on, only its resumption is at stake."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _append(self, kind: str, payload: dict[str, Any]) -> None:
        if self.path is None:  # an ephemeral thread
            return
        line = json.dumps({"timestamp": _stamp(), "type": kind, "payload": payload})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            log.error("cannot write the rollout %s: %s", self.path, exc)

    def session(self, state: ThreadState) -> None:
        self._append(
            "session_meta",
            {
                "id": state.id,
                "session_id": state.id,
                "timestamp": _stamp(),
                "cwd": state.cwd,
                "originator": state.originator,
                "cli_version": VERSION,
                "source": "vscode",
                "model_provider": PROVIDER,
                "model": state.model,
                "approval_policy": state.approval_policy.model_dump(mode="json"),
                "approvals_reviewer": state.approvals_reviewer.value,
                "sandbox": state.sandbox.value,
                "base_instructions": state.base_instructions,
                "developer_instructions": state.developer_instructions,
            },
        )

    def turn_context(self, state: ThreadState, turn_id: str) -> None:
        self._append(
            "turn_context",
            {
                "turn_id": turn_id,
                "cwd": state.cwd,
                "approval_policy": state.approval_policy.model_dump(mode="json"),
                "sandbox_policy": {"type": state.sandbox.value},
                "model": state.model,
                "effort": state.effort,
            },
        )

    def event(self, kind: str, **payload: Any) -> None:
        self._append("event_msg", {"type": kind, **payload})

    def item(self, item: dict[str, Any]) -> None:
        self._append("response_item", item)

    def completed(self, thread_id: str, turn_id: str, item: i.ThreadItem) -> None:
        wire = item.model_dump(mode="json", by_alias=True)
        self.event("item_completed", thread_id=thread_id, turn_id=turn_id, item=wire)


def _upstream_item(raw: dict[str, Any]) -> i.ThreadItem | None:
    """Items as 0.163.0 writes them (``UserMessage``, ``AgentMessage``)."""
    kind = raw.get("type")
    found = raw.get("content")
    content: list[Any] = found if isinstance(found, list) else []
    if kind == "UserMessage":
        return i.ThreadItem.model_validate(
            {"type": "userMessage", "id": raw.get("id", ""), "content": content}
        )
    if kind == "AgentMessage":
        text = "".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
        return i.ThreadItem(i.AgentMessageItem(id=str(raw.get("id", "")), text=text))
    return None


def _item(raw: Any) -> i.ThreadItem | None:
    if not isinstance(raw, dict):
        return None
    upstream = _upstream_item(raw)
    if upstream is not None:
        return upstream
    try:
        return i.ThreadItem.model_validate(raw)
    except ValueError:
        return None


def load(path: Path, thread_id: str) -> ThreadState:
    """The thread a rollout describes; ``OSError``/``ValueError`` when it cannot be read."""
    meta: dict[str, Any] = {}
    turns: dict[str, TurnRecord] = {}
    history: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        payload = record.get("payload") if isinstance(record, dict) else None
        if not isinstance(payload, dict):
            continue
        kind = record.get("type")
        if kind == "session_meta" and not meta:
            meta = payload
        elif kind == "response_item":
            history.append(payload)
        elif kind == "turn_context" and isinstance(payload.get("model"), str):
            meta = {**meta, "model": payload["model"], "cwd": payload.get("cwd", meta.get("cwd"))}
        elif kind == "event_msg":
            _event(payload, turns)
    state = ThreadState(
        id=thread_id,
        cwd=str(meta.get("cwd") or path.parent),
        model=str(meta.get("model") or ""),
        path=path,
        approval_policy=_policy(meta.get("approval_policy")),
        approvals_reviewer=_enum(ApprovalsReviewer, meta.get("approvals_reviewer")),
        sandbox=_enum(SandboxMode, meta.get("sandbox")),
        originator=meta.get("originator") if isinstance(meta.get("originator"), str) else None,
        base_instructions=meta.get("base_instructions"),
        developer_instructions=meta.get("developer_instructions"),
        history=history,
        turns=list(turns.values()),
    )
    state.created_at = state.updated_at = int(path.stat().st_mtime)
    for turn in state.turns:
        if turn.status is TurnStatus.IN_PROGRESS:  # the server stopped during it
            turn.status = TurnStatus.INTERRUPTED
        first = next((x.root for x in turn.items if isinstance(x.root, i.UserMessageItem)), None)
        if first is not None and not state.preview:
            texts = [c.root.text for c in first.content if isinstance(c.root, i.TextUserInput)]
            state.preview = "".join(texts)
    return state


def _event(payload: dict[str, Any], turns: dict[str, TurnRecord]) -> None:
    turn_id = payload.get("turn_id")
    if not isinstance(turn_id, str):
        return
    turn = turns.setdefault(turn_id, TurnRecord(turn_id))
    kind = payload.get("type")
    if kind == "task_started":
        turn.started_at = _int(payload.get("started_at"))
    elif kind == "item_completed":
        item = _item(payload.get("item"))
        if item is not None:
            turn.items.append(item)
    elif kind == "error":
        try:
            turn.error = TurnError.model_validate(payload.get("error"))
        except ValueError:
            turn.error = TurnError(message=str(payload.get("error")))
        turn.status = TurnStatus.FAILED
    elif kind in ("task_complete", "turn_aborted"):
        if kind == "turn_aborted":
            turn.status = TurnStatus.INTERRUPTED
        elif turn.status is not TurnStatus.FAILED:
            turn.status = TurnStatus.COMPLETED
        turn.started_at = turn.started_at or _int(payload.get("started_at"))
        turn.completed_at = _int(payload.get("completed_at"))
        turn.duration_ms = _int(payload.get("duration_ms"))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _policy(value: Any) -> AskForApproval:
    try:
        return AskForApproval.model_validate(value)
    except ValueError:
        return AskForApproval.model_validate("on-request")


def _enum(kind: Any, value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return next(iter(kind))
