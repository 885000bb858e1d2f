"""Before the first scenario: is the mock backend there, and is the server an app-server?

Both questions are asked once per run (the pytest plugin asks on the xdist controller
and hands the answers to its workers), and a "no" is one ``environment`` failure that
names the URL or the command and says what to do, in a few lines. Asked per scenario
instead, a command that is not an app-server (``cat``, ``sleep 100``) would cost a
timeout for every scenario, and a dead control URL a traceback for every one.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mock_backend.control_client import ControlClient, ControlError
from mock_backend.tenant_handle import MockTenant

from .results import Failure
from .session import Session, Stop
from .target import Target, version_from_user_agent
from .transport import TransportError

#: The handshake's client name, as the server sees it.
PROBE_CLIENT = "conformance-probe"


@dataclass(frozen=True)
class Probe:
    """What asking the server its version found: a version (None: none reported), or why
    the server cannot be judged at all."""

    version: str | None = None
    failure: Failure | None = None


def backend_failure(control: str, exc: BaseException) -> Failure:
    """A mock backend that does not answer at ``control``."""
    reason = getattr(exc, "reason", None) or exc
    return Failure(
        "environment",
        "setup",
        f"the mock backend at {control} does not answer ({reason}).\n"
        "Start one with `mock-backend serve` and pass the `control` URL of its ready line, "
        "or leave out --mock-backend-control to use the kit's own.",
    )


def check_backend(control: str, timeout: float = 5.0) -> Failure | None:
    """None when the control API at ``control`` answers."""
    try:
        ControlClient(control, timeout=timeout).request("GET", "")
    except (ControlError, OSError, ValueError) as exc:
        return backend_failure(control, exc)
    return None


def probe(target: Target, tenant: MockTenant, workdir: Path, timeout: float) -> Probe:
    """One handshake with a server started (or reached) as every scenario will."""
    home = Path(tempfile.mkdtemp(prefix="probe-", dir=workdir))
    try:
        try:
            transport = target.connect(tenant, home)
        except TransportError as exc:
            return Probe(failure=_cannot_start(target, str(exc)))
        session = Session(transport, None)  # it only reads the version
        try:
            reply = session.handshake(PROBE_CLIENT, False, timeout)
        except Stop as stop:
            return Probe(failure=_no_answer(target, stop.failure, session, timeout))
        finally:
            session.close()
        agent = (reply.get("result") or {}).get("userAgent")
        return Probe(version_from_user_agent(agent) if isinstance(agent, str) else None)
    finally:
        with contextlib.suppress(ControlError, OSError):
            tenant.control.delete_tenant(tenant.name)
        shutil.rmtree(home, ignore_errors=True)


def _what_to_do(target: Target) -> str:
    if target.url:
        return (
            "Start the server first (e.g. `codex app-server --listen ws://127.0.0.1:4500`), "
            "or give --app-server CMD and the kit starts one per scenario."
        )
    hint = ""
    if target.argv is not None and "app-server" not in target.argv:
        hint = (
            "The command has no `app-server` argument: codex serves the protocol as "
            '`codex app-server` (e.g. --app-server "$CODEX app-server"). '
        )
    return hint + (
        "Give a command that serves the app-server protocol on stdio; "
        "if it is only slow to start, raise --conformance-timeout."
    )


def _cannot_start(target: Target, detail: str) -> Failure:
    return Failure(
        "environment",
        "setup",
        f"the server cannot be started or reached: {target.name}: {detail}\n" + _what_to_do(target),
    )


def _no_answer(target: Target, stopped: Failure, session: Session, timeout: float) -> Failure:
    if stopped.kind == "hang":
        got = session.message_count - 1  # the kit's initialize is one of them
        what = f"did not answer `initialize` within {timeout:g} s" + (
            f" ({got} line{'s' if got != 1 else ''} came, none an answer)" if got > 0 else ""
        )
    else:
        process = session.transport.process
        ended = process.describe_exit() if process else "the connection closed"
        what = f"ended before answering `initialize` ({ended})"
    lines = [f"the server {what}: {target.name}", _what_to_do(target)]
    process = session.transport.process
    tail = process.stderr_tail(5) if process else []
    if tail:
        lines += ["its stderr ends:", *(f"  {line}" for line in tail)]
    return Failure("environment", "setup", "\n".join(lines))
