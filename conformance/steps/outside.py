"""Outside the conversation: what the server wrote into CODEX_HOME, and HTTP it serves."""

from __future__ import annotations

import json
import stat
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from pydantic import Field

from mock_backend.endpoints import LOOPBACK_HOSTS

from ..results import Failure
from ..session import Stop
from .base import Expect, StepKind

if TYPE_CHECKING:
    from ..run_context import RunContext


class File(StepKind):
    """Check a file under CODEX_HOME."""

    action: ClassVar[str] = "file"
    written: ClassVar[str] = "PATH"

    file: str
    exists: bool = Field(default=True, description="Whether it must exist (default true).")
    mode: str | None = Field(
        default=None, pattern=r"^0[0-7]{3}$", description='Its permission bits, e.g. `"0600"`.'
    )
    expect: Expect = Field(default=None, description="What its JSON content must hold.")

    def execute(self, run: RunContext) -> None:
        path = run.home / self.file
        shown = f"CODEX_HOME/{self.file}"
        exists = path.exists()
        if exists != self.exists:
            run.fail("mismatch", f"{shown} {'exists' if exists else 'does not exist'}")
            return
        if not exists:
            return
        if self.mode is not None:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode != int(self.mode, 8):
                run.fail("mismatch", f"{shown} has mode {mode:04o}, expected {self.mode}")
        if self.expect is not None:
            try:
                content = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                run.fail("mismatch", f"{shown} is not JSON: {exc}")
                return
            run.check(self.expect, content, shown)


class Http(StepKind):
    """GET a loopback URL (the browser-login callback)."""

    action: ClassVar[str] = "http"
    written: ClassVar[str] = "URL"

    http: str
    status: int | None = Field(default=None, description="The status it must answer.")
    expect: Expect = Field(default=None, description="What the body (text) must match.")

    def execute(self, run: RunContext) -> None:
        url = str(run.substitute(self.http))
        host = urlsplit(url).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise Stop(
                Failure("kit", "setup", f"{run.where}: the kit only calls loopback, not {host!r}")
            )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 5
        while True:
            try:
                with opener.open(url, timeout=5) as resp:
                    status, body = resp.status, resp.read().decode("utf-8", "replace")
                break
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode("utf-8", "replace")
                break
            except OSError as exc:
                if time.monotonic() > deadline:
                    run.fail("mismatch", f"GET {url}: {exc}")
                    return
                time.sleep(0.05)
        if self.status is not None and status != self.status:
            run.fail("mismatch", f"GET {url} answered {status}, expected {self.status}")
        run.check(self.expect, body, f"the body of GET {url}")
