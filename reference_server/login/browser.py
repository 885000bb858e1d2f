"""Browser login: a one-shot callback server on 127.0.0.1:1455, PKCE, a state check.

The client opens ``authUrl``; the issuer redirects to ``/auth/callback`` with ``code``
and ``state``; the code is exchanged, the workspace checked, and the browser sent to
``/success``. A wrong state answers 400 "State mismatch" and the login keeps waiting,
as upstream does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from ..backend_client import BackendClient
from ..errors import InternalError, LoginFailed
from ..settings import Settings
from .logins import SignIn
from .token_exchange import exchange_code
from .workspace import check_workspace, ensure_workspace_allowed

if TYPE_CHECKING:
    from aiohttp import web

CALLBACK_PORT = 1455
SCOPE = "openid profile email offline_access api.connectors.read api.connectors.invoke"
SUCCESS_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" />'
    "<title>Signed in to Codex</title></head><body><h1>Signed in</h1>"
    "<p>You can close this window and return to your app.</p></body></html>"
)
#: How upstream prefixes the errors of the callback server (a login replaced included).
SERVER_ERROR = "Login server error"
CANCELLED = f"{SERVER_ERROR}: Login cancelled"
#: After the callback, how long the browser has to load ``/success`` before the server goes.
SUCCESS_GRACE = 0.2


@dataclass
class BrowserLogin:
    settings: Settings
    backend: BackendClient
    originator: str
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(64))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    result: asyncio.Future[SignIn] | None = None
    _runner: web.AppRunner | None = None

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{CALLBACK_PORT}/auth/callback"

    def auth_url(self) -> str:
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": self.redirect_uri,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": self.state,
                "scope": SCOPE,
                "id_token_add_organizations": "true",
                "codex_cli_simplified_flow": "true",
                "originator": self.originator,
            }
        )
        return f"{self.settings.issuer}/oauth/authorize?{query}"

    async def start(self) -> None:
        """Listen for the callback; a port already taken fails the start request."""
        from aiohttp import web

        self.result = asyncio.get_running_loop().create_future()
        app = web.Application()
        app.router.add_get("/auth/callback", self._callback)
        app.router.add_get("/success", self._success)
        app.router.add_get("/cancel", self._cancel)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, "127.0.0.1", CALLBACK_PORT).start()
        except OSError as exc:
            await self.stop()
            raise InternalError(f"{SERVER_ERROR}: {exc.strerror or exc}") from exc

    async def finished(self) -> SignIn:
        """The login flow: wait for the callback, then close the callback server."""
        assert self.result is not None
        try:
            return await self.result
        finally:
            await asyncio.sleep(SUCCESS_GRACE)
            await self.stop()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        if request.query.get("state") != self.state:
            return web.Response(status=400, text="State mismatch")
        code = request.query.get("code")
        if not code:
            error = request.query.get("error_description") or request.query.get("error") or ""
            self._finish(LoginFailed(f"{SERVER_ERROR}: {error or 'missing code'}"))
            return web.Response(status=400, text="Login failed")
        try:
            sign_in = await self._exchange(code)
        except Exception as failure:  # whatever it is, the login must end with it
            self._finish(failure)
            return web.Response(status=500, text=str(failure))
        assert self.result is not None
        if not self.result.done():
            self.result.set_result(sign_in)
        raise web.HTTPFound(f"http://127.0.0.1:{CALLBACK_PORT}/success")

    async def _success(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        return web.Response(text=SUCCESS_PAGE, content_type="text/html")

    async def _cancel(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        self._finish(LoginFailed(CANCELLED))
        return web.Response(text="Login cancelled")

    def _finish(self, failure: Exception) -> None:
        if self.result is not None and not self.result.done():
            self.result.set_exception(failure)

    async def _exchange(self, code: str) -> SignIn:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.settings.client_id,
            "code_verifier": self.verifier,
        }
        auth = await exchange_code(self.backend, self.settings, form, SERVER_ERROR)
        ensure_workspace_allowed(self.settings, auth)
        return SignIn(auth, await check_workspace(self.backend, self.settings, auth))
