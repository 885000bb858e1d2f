from __future__ import annotations

from typing import Any

import pytest

from mock_backend.config import CODEX_CLIENT_ID
from mock_backend.tenant_handle import MockTenant
from tests.support import http


class DeviceClient:
    """Speaks to one tenant the way the codex binary does."""

    def __init__(self, tenant: MockTenant) -> None:
        self.tenant = tenant
        self.issuer = tenant.ready.issuer

    def usercode(self, client_id: str = CODEX_CLIENT_ID) -> http.Reply:
        return http.post(
            f"{self.issuer}/api/accounts/deviceauth/usercode", json_body={"client_id": client_id}
        )

    def new_code(self) -> dict[str, Any]:
        reply = self.usercode()
        assert reply.status == 200, reply.text
        body: dict[str, Any] = reply.json
        return body

    def poll(self, code: dict[str, Any]) -> http.Reply:
        return http.post(
            f"{self.issuer}/api/accounts/deviceauth/token",
            json_body={"device_auth_id": code["device_auth_id"], "user_code": code["user_code"]},
        )

    def exchange(self, grant: dict[str, Any], **overrides: str) -> http.Reply:
        form = {
            "grant_type": "authorization_code",
            "code": grant["authorization_code"],
            "redirect_uri": f"{self.issuer}/deviceauth/callback",
            "client_id": CODEX_CLIENT_ID,
            "code_verifier": grant["code_verifier"],
            **overrides,
        }
        return http.post(f"{self.issuer}/oauth/token", form=form)

    def refresh(self, refresh_token: str) -> http.Reply:
        return http.post(
            f"{self.issuer}/oauth/token",
            json_body={
                "client_id": CODEX_CLIENT_ID,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
        )

    def login(self, **persona: Any) -> dict[str, Any]:
        """A whole approved device login; returns the token response."""
        code = self.new_code()
        self.tenant.control.approve(code["user_code"], **persona)
        grant = self.poll(code)
        assert grant.status == 200, grant.text
        tokens = self.exchange(grant.json)
        assert tokens.status == 200, tokens.text
        result: dict[str, Any] = tokens.json
        return result

    def backend_get(self, path: str, access_token: str | None, **headers: str) -> http.Reply:
        base = self.tenant.ready.issuer + "/backend-api/"
        hdrs = dict(headers)
        if access_token is not None:
            hdrs["Authorization"] = f"Bearer {access_token}"
        return http.get(base + path, headers=hdrs)


@pytest.fixture
def device(mock_tenant: MockTenant) -> DeviceClient:
    return DeviceClient(mock_tenant)
