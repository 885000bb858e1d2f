"""The ``exec_command`` tool: ask the client when the policy says so, then run the command
with ``/bin/bash -lc`` in the thread's working directory, streaming its output.

There is no sandbox: a command runs with the server's own rights, which is why it never
runs unless the approval policy lets it (``untrusted``, ``on-request`` and ``granular``
ask the client first; ``never`` runs it without asking, as upstream does). A command is
killed when the turn is interrupted or after the configured timeout.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import math
import os
import secrets
import shlex
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ClientAnsweredError, os_error_text
from ..protocol import items as i
from ..protocol.base import WireModel
from ..protocol.policy import AskForApproval
from ..protocol.thread import ThreadActiveFlag
from .turn_items import TurnItems, now_ms

REJECTED = 'exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }'
#: Output kept for the item and the model; the rest is dropped (and said so).
MAX_OUTPUT = 1024 * 1024
CHUNK = 8192


class TurnCancelled(Exception):
    """The client answered ``cancel``: the turn ends as interrupted."""


@dataclass
class ToolScope:
    """What a tool call needs from its turn."""

    thread_id: str
    turn_id: str
    cwd: str
    policy: AskForApproval
    timeout: float
    notify: Callable[[WireModel], None]
    #: Where the command's item starts and completes (declined: completed, not recorded).
    items: TurnItems
    #: Sends the approval request and waits for the client's ``result`` (no time limit).
    ask: Callable[[WireModel], Awaitable[Any]]
    #: ``thread/status/changed`` with these active flags.
    flags: Callable[..., None]
    approved: set[str] = field(default_factory=set)


def parse_arguments(raw: str) -> tuple[str, str | None]:
    """``cmd`` and ``workdir`` of the call; ``ValueError`` with the reason when unusable."""
    try:
        args = json.loads(raw or "{}")
    except ValueError as exc:
        raise ValueError(f"failed to parse function arguments: {exc}") from exc
    if not isinstance(args, dict) or not isinstance(args.get("cmd"), str):
        raise ValueError("failed to parse function arguments: missing field `cmd`")
    workdir = args.get("workdir")
    return args["cmd"], workdir if isinstance(workdir, str) else None


def _item(call_id: str, display: str, cwd: str, cmd: str, **fields: Any) -> i.ThreadItem:
    return i.ThreadItem(
        i.CommandExecutionItem(
            id=call_id,
            command=display,
            cwd=cwd,
            command_actions=[i.CommandAction(i.UnknownCommandAction(command=cmd))],
            **fields,
        )
    )


def _decision(answer: Any) -> str:
    """``accept``/``acceptForSession``/``decline``/``cancel``; the amendment kinds accept.

    An answer that is none of these counts as ``decline``: nothing runs on a doubt.
    """
    decision = answer.get("decision") if isinstance(answer, dict) else None
    if isinstance(decision, dict):
        if set(decision) & {"acceptWithExecpolicyAmendment", "applyNetworkPolicyAmendment"}:
            return "acceptForSession"
        return "decline"
    return (
        decision if decision in ("accept", "acceptForSession", "decline", "cancel") else "decline"
    )


async def exec_command(scope: ToolScope, call_id: str, arguments: str) -> str:
    """Run one call; what the model is told (its ``function_call_output``)."""
    try:
        cmd, workdir = parse_arguments(arguments)
    except ValueError as exc:
        return str(exc)
    cwd = str(Path(scope.cwd, workdir)) if workdir else scope.cwd
    display = shlex.join(["/bin/bash", "-lc", cmd])
    if scope.policy.asks and cmd not in scope.approved:
        decision = await _ask(scope, call_id, display, cwd, cmd)
        if decision != "accept" and decision != "acceptForSession":
            declined = _item(call_id, display, cwd, cmd, status=i.CommandExecutionStatus.DECLINED)
            scope.items.completed(declined, record=False)
            scope.flags()
            if decision == "cancel":
                raise TurnCancelled
            return REJECTED
        if decision == "acceptForSession":
            scope.approved.add(cmd)
        scope.flags()
        return await _run(scope, call_id, display, cwd, cmd, announced=True)
    return await _run(scope, call_id, display, cwd, cmd, announced=False)


async def _ask(scope: ToolScope, call_id: str, display: str, cwd: str, cmd: str) -> str:
    started = now_ms()
    scope.flags(ThreadActiveFlag.WAITING_ON_APPROVAL)
    pending = _item(call_id, display, cwd, cmd, status=i.CommandExecutionStatus.IN_PROGRESS)
    scope.items.started(pending, started)
    try:
        words = shlex.split(cmd)
    except ValueError:
        words = [cmd]
    question = i.CommandExecutionRequestApprovalParams(
        thread_id=scope.thread_id,
        turn_id=scope.turn_id,
        item_id=call_id,
        started_at_ms=started,
        environment_id="local",
        command=display,
        cwd=cwd,
        command_actions=[i.CommandAction(i.UnknownCommandAction(command=cmd))],
        proposed_execpolicy_amendment=words,
        available_decisions=[
            "accept",
            {"acceptWithExecpolicyAmendment": {"execpolicy_amendment": words}},
            "cancel",
        ],
    )
    try:
        answer = await scope.ask(question)
    except ClientAnsweredError:  # an error for an answer: nothing runs on a doubt
        return "decline"
    return _decision(answer)


async def _run(
    scope: ToolScope, call_id: str, display: str, cwd: str, cmd: str, announced: bool
) -> str:
    started = time.monotonic()
    try:
        process = await asyncio.create_subprocess_exec(
            "/bin/bash",
            "-lc",
            cmd,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        why = f"Failed to create unified exec process: {os_error_text(exc)}"
        failed = _item(
            call_id,
            display,
            cwd,
            cmd,
            status=i.CommandExecutionStatus.FAILED,
            source=i.CommandExecutionSource.UNIFIED_EXEC_STARTUP,
            aggregated_output=why,
            exit_code=-1,
            duration_ms=0,
        )
        if not announced:
            scope.items.started(failed)
        scope.items.completed(failed)
        return f'exec_command failed: CreateProcess {{ message: "Rejected(\\"{why}\\")" }}'
    pid = str(process.pid)
    source = i.CommandExecutionSource.UNIFIED_EXEC_STARTUP
    if not announced:
        running = _item(
            call_id,
            display,
            cwd,
            cmd,
            status=i.CommandExecutionStatus.IN_PROGRESS,
            process_id=pid,
            source=source,
        )
        scope.items.started(running)
    output, code = await _collect(scope, call_id, process)
    elapsed = time.monotonic() - started
    done = _item(
        call_id,
        display,
        cwd,
        cmd,
        status=i.CommandExecutionStatus.COMPLETED if code == 0 else i.CommandExecutionStatus.FAILED,
        process_id=pid,
        source=source,
        aggregated_output=output,
        exit_code=code,
        duration_ms=int(elapsed * 1000),
    )
    scope.items.completed(done)
    return (
        f"Chunk ID: {secrets.token_hex(3)}\n"
        f"Wall time: {elapsed:.4f} seconds\n"
        f"Process exited with code {code}\n"
        f"Original token count: {math.ceil(len(output.encode()) / 4)}\n"
        f"Output:\n{output}"
    )


async def _collect(
    scope: ToolScope, call_id: str, process: asyncio.subprocess.Process
) -> tuple[str, int]:
    """Forward the output as it comes; the whole of it and the exit code. A timeout or a
    cancelled turn kills the command's whole process group."""
    assert process.stdout is not None
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    kept: list[str] = []
    size = 0

    async def pump() -> None:
        nonlocal size
        assert process.stdout is not None
        while chunk := await process.stdout.read(CHUNK):
            text = decoder.decode(chunk)
            if not text:
                continue
            scope.notify(
                i.CommandExecutionOutputDeltaNotification(
                    thread_id=scope.thread_id, turn_id=scope.turn_id, item_id=call_id, delta=text
                )
            )
            if size < MAX_OUTPUT:
                kept.append(text)
                size += len(text)
        await process.wait()

    timed_out = False
    try:
        await asyncio.wait_for(pump(), scope.timeout)
    except TimeoutError:
        timed_out = True
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                await asyncio.shield(process.wait())
    output = "".join(kept) + decoder.decode(b"", final=True)
    if timed_out:
        output += f"\ncommand timed out after {scope.timeout:g} seconds\n"
        return output, 124
    code = process.returncode if process.returncode is not None else -1
    return output, 128 - code if code < 0 else code
