"""``thread/start``, ``thread/resume``, ``thread/read``: a conversation begun, taken up
again (after a restart too, from its rollout), or looked at."""

from __future__ import annotations

from ..context import Context, Reply
from ..conversation.ids import check_thread_id
from ..conversation.threads import absolute
from ..errors import InvalidRequest
from ..protocol import thread as p
from ..protocol.policy import SandboxPolicy


async def start(ctx: Context, params: p.ThreadStartParams) -> Reply[p.ThreadStartResponse]:
    state = await ctx.threads.start(
        cwd=params.cwd,
        model=params.model,
        approval_policy=params.approval_policy,
        approvals_reviewer=params.approvals_reviewer,
        sandbox=params.sandbox,
        base_instructions=params.base_instructions,
        developer_instructions=params.developer_instructions,
        ephemeral=bool(params.ephemeral),
    )
    response = p.ThreadStartResponse(
        thread=state.thread(),
        model=state.model,
        model_provider=state.thread().model_provider,
        cwd=state.cwd,
        runtime_workspace_roots=[state.cwd],
        approval_policy=state.approval_policy,
        approvals_reviewer=state.approvals_reviewer,
        sandbox=SandboxPolicy.of(state.sandbox),
        reasoning_effort=state.effort,
    )
    return Reply(response, [p.ThreadStartedNotification(thread=state.thread())])


async def resume(ctx: Context, params: p.ThreadResumeParams) -> Reply[p.ThreadResumeResponse]:
    state = await ctx.threads.resume(params.thread_id)
    if params.model:
        state.model = params.model
    if params.approval_policy is not None:
        state.approval_policy = params.approval_policy
    if params.approvals_reviewer is not None:
        state.approvals_reviewer = params.approvals_reviewer
    if params.sandbox is not None:
        state.sandbox = params.sandbox
    if params.cwd:
        state.cwd = absolute(params.cwd)
    # 0.163.0 reports the thread's status before its answer.
    ctx.notify(p.ThreadStatusChangedNotification(thread_id=state.id, status=state.status))
    thread = state.thread(with_turns=not params.exclude_turns)
    response = p.ThreadResumeResponse(
        thread=thread,
        model=state.model,
        model_provider=thread.model_provider,
        cwd=state.cwd,
        runtime_workspace_roots=[state.cwd],
        approval_policy=state.approval_policy,
        approvals_reviewer=state.approvals_reviewer,
        sandbox=SandboxPolicy.of(state.sandbox),
        reasoning_effort=state.effort,
    )
    return Reply(response)


async def read(ctx: Context, params: p.ThreadReadParams) -> Reply[p.ThreadReadResponse]:
    """A loaded thread, or one only on disk (shown ``notLoaded``, as 0.163.0 shows it)."""
    state = ctx.threads.loaded(params.thread_id)
    loaded = state is not None
    if state is None:
        state = ctx.threads.stored(params.thread_id)
    if state is None:
        raise InvalidRequest(f"thread not loaded: {check_thread_id(params.thread_id)}")
    thread = state.thread(with_turns=params.include_turns, loaded=loaded)
    return Reply(p.ThreadReadResponse(thread=thread))
