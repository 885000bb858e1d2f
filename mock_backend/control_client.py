"""A small synchronous client for the control API (standard library only).

For tests, scripts and the conformance kit: ``ControlClient(ready.control)``.
Errors come back as :class:`ControlError` carrying the backend's
``error_description``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class ControlError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        description = body.get("error_description") if isinstance(body, dict) else body
        super().__init__(f"control API answered {status}: {description}")
        self.status = status
        self.body = body


class ControlClient:
    def __init__(self, control_url: str, timeout: float = 10.0) -> None:
        self.base = control_url.rstrip("/")
        self.timeout = timeout
        # The control API is on loopback: never go through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                text = resp.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode("utf-8", "replace")
            raise ControlError(exc.code, parsed) from None
        return json.loads(text) if text else None

    # Device codes
    def device_codes(self, state: str | None = None) -> list[dict[str, Any]]:
        query = f"?state={state}" if state else ""
        codes: list[dict[str, Any]] = self.request("GET", f"/device-codes{query}")["device_codes"]
        return codes

    def approve(self, user_code: str, **persona: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST", f"/device-codes/{user_code}/approve", persona or None
        )
        return result

    def deny(self, user_code: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/device-codes/{user_code}/deny")
        return result

    def expire(self, user_code: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/device-codes/{user_code}/expire")
        return result

    # Scripts, settings, faults
    def script(self, outcome: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", "/script", {"outcome": outcome, **fields})
        return result

    def queue_script(self, outcome: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/script", {"outcome": outcome, **fields})
        return result

    def settings(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", "/settings", fields)
        return result

    def fault(self, route: str, kind: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request(
            "POST", "/faults", {"route": route, "kind": kind, **fields}
        )
        return result

    def journal(self, **query: Any) -> list[dict[str, Any]]:
        from urllib.parse import urlencode

        suffix = f"?{urlencode(query)}" if query else ""
        entries: list[dict[str, Any]] = self.request("GET", f"/journal{suffix}")["entries"]
        return entries

    def reset(self) -> None:
        self.request("POST", "/reset")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/clock/advance", {"seconds": seconds})
        return result

    def mint_tokens(self, **persona: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/tokens", persona or None)
        return result

    def set_usage(self, usage: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("PUT", "/usage", usage)
        return result

    def create_tenant(self, name: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/tenants", {"name": name} if name else None)
        return result

    def delete_tenant(self, name: str) -> None:
        """Forget a tenant and everything it held (any tenant's control can do it)."""
        self.request("DELETE", f"/tenants/{name}")

    def tenants(self) -> dict[str, Any]:
        """Tenant names (``tenants``), counts and limits."""
        result: dict[str, Any] = self.request("GET", "/tenants")
        return result

    # The scripted model (/_mock/model/*): the forms of mock_backend.model.forms.
    def queue_model_response(self, response: dict[str, Any] | None = None, **form: Any) -> int:
        """Queue one scripted model response; its position in the queue."""
        result: dict[str, Any] = self.request(
            "POST", "/model/responses", {**(response or {}), **form}
        )
        position: int = result["position"]
        return position

    def model_responses(self) -> list[dict[str, Any]]:
        queued: list[dict[str, Any]] = self.request("GET", "/model/responses")["responses"]
        return queued

    def clear_model_responses(self) -> int:
        dropped: int = self.request("DELETE", "/model/responses")["dropped"]
        return dropped

    def model_requests(self, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """What the model saw: every model request of this tenant, decoded."""
        query = f"?since={since}" + (f"&limit={limit}" if limit is not None else "")
        records: list[dict[str, Any]] = self.request("GET", f"/model/requests{query}")["requests"]
        return records

    def set_model_catalog(self, models: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Serve these catalog entries at /backend-api/codex/models (None: the mock models)."""
        if models is None:
            result: dict[str, Any] = self.request("DELETE", "/model/catalog")
        else:
            result = self.request("PUT", "/model/catalog", {"models": models})
        served: list[dict[str, Any]] = result["models"]
        return served

    def model_settings(self, **fields: Any) -> dict[str, Any]:
        """E.g. ``model_settings(websocket="426")``: codex then talks HTTP for the session."""
        result: dict[str, Any] = self.request("PUT", "/model/settings", fields)
        return result
