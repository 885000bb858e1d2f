"""One model request answered, whatever the transport.

The route modules only move bytes: they decode the request, hand it here, and
write what comes back (SSE frames, websocket frames or an HTTP failure). Here
the conversation is resolved (``previous_response_id``), the answer chosen (the
first matching scripted response, else the default responder, or the empty
answer to a ``generate: false`` prewarm) and the request recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import json_limits
from .auth_seen import AuthSeen
from .decode import input_items, last_user_text
from .default_responder import default_answer
from .events import Event, answer_events, error_frame, prewarm_events, status_body
from .forms import ScriptedResponse
from .model_state import ModelState
from .request_log import ModelRequestRecord, Transport


@dataclass(slots=True)
class Answer:
    record: ModelRequestRecord
    #: 200 with ``events``, or a failure status with ``body`` (HTTP) / ``events`` = [frame] (ws).
    status: int = 200
    events: list[Event] = field(default_factory=list)
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: int = 0
    chunk_delay_ms: int = 0
    cut_after: int | None = None
    #: The conversation after this answer (input + output), for ``previous_response_id``.
    conversation: list[Any] = field(default_factory=list)


def turn_metadata(headers: Any, body: dict[str, Any]) -> dict[str, Any] | None:
    """``x-codex-turn-metadata`` (a header over HTTP, in ``client_metadata`` over ws)."""
    raw = headers.get("x-codex-turn-metadata") if headers is not None else None
    if raw is None:
        client = body.get("client_metadata")
        raw = client.get("x-codex-turn-metadata") if isinstance(client, dict) else None
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            parsed = json_limits.loads(raw)
        except ValueError:
            return {"unparsed": raw[:500]}
        return parsed if isinstance(parsed, dict) else {"unparsed": raw[:500]}
    return None


def answer(
    state: ModelState,
    body: dict[str, Any],
    *,
    transport: Transport,
    at: float,
    auth: AuthSeen,
    history: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    note: str | None = None,
    input_size: int = 0,
) -> Answer:
    """Choose and build the answer to one request, and record it (``input_size``: what
    keeping its input costs, about, for the request log's budget)."""
    items = input_items(body)
    full = None if history is None else [*history, *items]
    conversation = full if full is not None else items
    model = body.get("model") if isinstance(body.get("model"), str) else None
    record = state.requests.add(
        input_size,
        at=at,
        transport=transport,
        kind="turn",
        model=model,
        input=items,
        full_input=full,
        previous_response_id=body.get("previous_response_id"),
        auth=auth,
        metadata=metadata,
        error=note,
    )
    websocket = transport == "websocket"
    if body.get("generate") is False:
        response_id = state.ids.next("resp")
        record.kind, record.answered_by, record.response_id = "prewarm", "prewarm", response_id
        return Answer(record, events=prewarm_events(response_id), conversation=conversation)

    script = state.queue.take(last_user_text(conversation))
    if script is not None:
        record.answered_by = "script"
    else:
        record.answered_by = "default"
        state.default_calls += 1
        script = default_answer(conversation, state.default_calls)
    return _build(state, script, record, conversation, websocket)


def _build(
    state: ModelState,
    script: ScriptedResponse,
    record: ModelRequestRecord,
    conversation: list[Any],
    websocket: bool,
) -> Answer:
    result = Answer(
        record,
        delay_ms=script.delay_ms,
        chunk_delay_ms=script.chunk_delay_ms,
        cut_after=script.cut_after,
    )
    headers = script.rate_limits.headers() if script.rate_limits and not websocket else {}
    if script.status is not None:
        record.status = result.status = script.status
        if websocket:
            result.events = [error_frame(script)]
        else:
            result.body, result.headers = status_body(script), headers
        return result
    response_id = state.ids.next("resp")
    result.events, record.output = answer_events(script, response_id, state.ids, websocket)
    record.response_id = response_id
    result.headers = headers
    result.conversation = [*conversation, *record.output]
    return result
