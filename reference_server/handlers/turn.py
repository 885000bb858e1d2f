"""``turn/start`` and ``turn/interrupt``. A turn is answered at once and runs in the
background (:mod:`reference_server.conversation.turn_runner`); its notifications follow
the answer. A ``turn/start`` on a thread whose turn is running joins that turn."""

from __future__ import annotations

from ..context import Context, Reply
from ..conversation.ids import check_thread_id
from ..conversation.thread_state import ThreadState
from ..conversation.threads import absolute
from ..errors import InvalidRequest
from ..protocol import turn as p


def _thread(ctx: Context, thread_id: str) -> ThreadState:
    state = ctx.threads.loaded(thread_id)
    if state is None:
        raise InvalidRequest(f"thread not found: {check_thread_id(thread_id)}")
    return state


async def start(ctx: Context, params: p.TurnStartParams) -> Reply[p.TurnStartResponse]:
    state = _thread(ctx, params.thread_id)
    if state.active is None:  # overrides apply to this turn and the ones after it
        if params.cwd:
            state.cwd = absolute(params.cwd)
        if params.approval_policy is not None:
            state.approval_policy = params.approval_policy
        if params.model:
            state.model = params.model
        if params.effort:
            state.effort = params.effort
    turn, begin = ctx.threads.start_turn(state, params.input)
    return Reply(p.TurnStartResponse(turn=turn), after=begin)


async def interrupt(ctx: Context, params: p.TurnInterruptParams) -> Reply[p.TurnInterruptResponse]:
    state = _thread(ctx, params.thread_id)
    ctx.threads.interrupt(state, params.turn_id)
    return Reply(p.TurnInterruptResponse())
