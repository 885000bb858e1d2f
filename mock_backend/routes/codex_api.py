"""``/backend-api/codex/*``: the model endpoint on both transports, and the catalog.

codex 0.163.0 with ChatGPT auth first opens a websocket at
``/backend-api/codex/responses`` and sends ``response.create`` frames (the first
one, right after ``thread/start``, a ``generate: false`` prewarm); each event of
the answer comes back as one text frame. When the upgrade is refused it POSTs
the same body (zstd-compressed) and reads SSE: after a 426 at once and for the
rest of the session, after a 404 only after ~6.5 s of retries. What to answer
is decided in :mod:`mock_backend.model.turns`; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import WSMsgType, web

from .. import content_coding
from ..http_io import backend, entry, json_response, tenant
from ..json_limits import kept_size
from ..model.auth_check import check_auth
from ..model.auth_seen import AuthSeen
from ..model.decode import (
    MAX_DECODED_BYTES,
    BadModelRequest,
    check_request,
    plain_bytes,
    read_json,
)
from ..model.events import Event, sse_frame, ws_text
from ..model.turns import Answer, answer, turn_metadata
from ..request_body import BodyTooLarge, SlowBody, read_decoded
from . import Route, surface

#: Conversations kept per websocket for ``previous_response_id`` (the binary chains to the last).
_KEPT_RESPONSES = 16


def _auth(request: web.Request) -> AuthSeen:
    seen = check_auth(
        backend(request),
        tenant(request).name,
        request.headers.get("Authorization"),
        request.headers.get("chatgpt-account-id"),
    )
    log = entry(request)
    if log is not None:
        log.account_id = seen.account_id
        if seen.flag and seen.flag not in log.flags:
            log.flags.append(seen.flag)
    return seen


def _refusal(request: web.Request, seen: AuthSeen) -> BadModelRequest | None:
    """With ``auth: enforce``, a 401 for a token the mock would not accept."""
    if tenant(request).model.auth != "enforce" or seen.flag is None:
        return None
    return BadModelRequest(f"unauthorized: {seen.flag.replace('_', ' ')}", status=401)


def _reject(
    request: web.Request, transport: str, why: BadModelRequest, seen: AuthSeen | None = None
) -> web.Response:
    state = tenant(request).model
    log = entry(request)
    state.requests.add(
        at=backend(request).clock.now(),
        transport=transport,
        kind="rejected",
        status=why.status,
        error=str(why),
        auth=seen or _auth(request),
        journal_seq=log.seq if log else None,
    )
    if log is not None:
        log.note = str(why)
        if why.status == 408:
            log.flags.append("slow_body")
        elif why.status != 401:  # a refused token is flagged by its state already
            log.flags.append("bad_model_request")
    if why.status == 401:
        return json_response(_unauthorized_body(why), status=401)
    response = json_response({"detail": str(why)}, status=why.status)
    if why.unread:
        response.force_close()  # the rest of the body was not read
    return response


def _unauthorized_body(why: BadModelRequest) -> dict[str, Any]:
    return {
        "error": {"type": "invalid_request_error", "code": "token_invalid", "message": str(why)}
    }


async def _read_plain(request: web.Request) -> bytes:
    """The model request's JSON bytes, without any coding, read within
    :data:`MAX_DECODED_BYTES` (larger than the middleware's limit: real turns are tens of
    KB, long conversations more)."""
    seconds = backend(request).config.body_timeout
    try:
        raw = await read_decoded(request, seconds, MAX_DECODED_BYTES)
    except SlowBody as slow:
        raise BadModelRequest(str(slow), 408, unread=True) from slow
    except BodyTooLarge as exc:
        raise BadModelRequest(str(exc), 413, unread=True) from exc
    except content_coding.UndecodableBody as exc:
        raise BadModelRequest(str(exc), exc.status) from exc
    return plain_bytes(raw)


async def responses_post(request: web.Request) -> web.StreamResponse:
    try:
        plain = await _read_plain(request)
        body = check_request(read_json(plain, "body"))
    except BadModelRequest as why:
        return _reject(request, "http", why)
    log = entry(request)
    if log is not None:
        log.body = {"model": body.get("model"), "input_items": len(body.get("input") or [])}
    seen = _auth(request)
    refused = _refusal(request, seen)
    if refused is not None:
        return _reject(request, "http", refused, seen)
    result = answer(
        tenant(request).model,
        body,
        transport="http",
        at=backend(request).clock.now(),
        auth=seen,
        metadata=turn_metadata(request.headers, body),
        input_size=kept_size(plain),
    )
    result.record.journal_seq = log.seq if log else None
    if result.delay_ms:
        await asyncio.sleep(result.delay_ms / 1000)
    if result.body is not None:
        response = json_response(result.body, status=result.status)
        response.headers.update(result.headers)
        return response
    return await _stream_sse(request, result)


async def _stream_sse(request: web.Request, result: Answer) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", **result.headers}
    )
    await response.prepare(request)
    events = result.events
    if result.cut_after is None and not result.chunk_delay_ms:
        await response.write(b"".join(sse_frame(e) for e in events))
    else:
        for index, event in enumerate(events):
            if index == result.cut_after:
                _drop(request, index)
            if index and result.chunk_delay_ms:
                await asyncio.sleep(result.chunk_delay_ms / 1000)
            await response.write(sse_frame(event))
        if result.cut_after is not None and result.cut_after >= len(events):
            _drop(request, len(events))
    await response.write_eof()
    return response


def _drop(request: web.Request, sent: int) -> None:
    log = entry(request)
    if log is not None:
        log.status = 200
        log.flags.append(f"cut_after:{sent}")
    if request.transport is not None:
        request.transport.close()
    raise ConnectionResetError(f"scripted cut after {sent} events")


async def responses_ws(request: web.Request) -> web.StreamResponse:
    mode = tenant(request).model.websocket
    if mode != "accept":
        status = int(mode)
        detail = "Upgrade Required" if status == 426 else "Not Found"
        return json_response({"detail": detail}, status=status)
    ws = web.WebSocketResponse(max_msg_size=MAX_DECODED_BYTES, autoping=True)
    if not ws.can_prepare(request).ok:
        return json_response({"detail": "this endpoint speaks websocket or POST"}, status=426)
    refused = _refusal(request, _auth(request))
    if refused is not None:
        return _reject(request, "websocket", refused)
    await ws.prepare(request)
    log = entry(request)
    if log is not None:
        log.status = 101
    kept: dict[str, list[Any]] = {}
    async for message in ws:
        if message.type is not WSMsgType.TEXT:
            if message.type is WSMsgType.BINARY:
                await _ws_error(ws, request, BadModelRequest("binary frames are not read here"))
            continue
        await _ws_message(ws, request, message.data, kept)
    return ws


async def _ws_message(
    ws: web.WebSocketResponse, request: web.Request, text: str, kept: dict[str, list[Any]]
) -> None:
    try:
        body = check_request(read_json(text, "frame"))
    except BadModelRequest as why:
        await _ws_error(ws, request, why)
        return
    kind = body.get("type")
    if kind == "response.processed":
        return
    if kind != "response.create":
        await _ws_error(ws, request, BadModelRequest(f"unknown message type {kind!r}"))
        return
    previous = body.get("previous_response_id")
    history = kept.get(previous) if isinstance(previous, str) else None
    note = None
    if isinstance(previous, str) and history is None:
        note = f"unknown previous_response_id {previous!r}: input taken as the whole conversation"
    log = entry(request)
    seen = _auth(request)
    refused = _refusal(request, seen)
    if refused is not None:
        await _ws_error(ws, request, refused, seen)
        return
    result = answer(
        tenant(request).model,
        body,
        transport="websocket",
        at=backend(request).clock.now(),
        auth=seen,
        history=history,
        metadata=turn_metadata(None, body),
        note=note,
        input_size=kept_size(text),
    )
    result.record.journal_seq = log.seq if log else None
    if result.record.response_id is not None:
        kept[result.record.response_id] = result.conversation
        while len(kept) > _KEPT_RESPONSES:
            del kept[next(iter(kept))]
    if result.delay_ms:
        await asyncio.sleep(result.delay_ms / 1000)
    await _send_events(ws, result.events, result)


async def _send_events(ws: web.WebSocketResponse, events: list[Event], result: Answer) -> None:
    for index, event in enumerate(events):
        if index == result.cut_after:
            await ws.close(code=1011, message=b"scripted cut")
            return
        if index and result.chunk_delay_ms:
            await asyncio.sleep(result.chunk_delay_ms / 1000)
        await ws.send_str(ws_text(event))
    if result.cut_after is not None and result.cut_after >= len(events):
        await ws.close(code=1011, message=b"scripted cut")


async def _ws_error(
    ws: web.WebSocketResponse,
    request: web.Request,
    why: BadModelRequest,
    seen: AuthSeen | None = None,
) -> None:
    state = tenant(request).model
    log = entry(request)
    state.requests.add(
        at=backend(request).clock.now(),
        transport="websocket",
        kind="rejected",
        status=why.status,
        error=str(why),
        auth=seen or _auth(request),
        journal_seq=log.seq if log else None,
    )
    error = {"type": "invalid_request_error", "code": None, "message": str(why)}
    if why.status == 401:
        error = _unauthorized_body(why)["error"]
    frame = {"type": "error", "status": why.status, "error": error}
    await ws.send_str(ws_text(frame))


async def models(request: web.Request) -> web.StreamResponse:
    return json_response({"models": tenant(request).model.catalog})


ROUTES = surface(
    "detail",
    [
        Route(
            "codex_responses_ws",
            "GET",
            "/backend-api/codex/responses",
            responses_ws,
            "The model over a websocket: response.create frames in, one event per frame out.",
        ),
        Route(
            "codex_responses",
            "POST",
            "/backend-api/codex/responses",
            responses_post,
            "The model over HTTP: a Responses-API body (JSON or zstd JSON) in, SSE out.",
            raw_body=True,
        ),
        Route(
            "codex_models",
            "GET",
            "/backend-api/codex/models",
            models,
            "The model catalog model/list shows (this tenant's, or the mock models).",
            query=("client_version",),
        ),
    ],
)
