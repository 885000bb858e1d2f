"""Fuzz every route from the OpenAPI document with schemathesis: whatever the
input, the backend answers (never a 5xx it did not intend, never a traceback)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mock_backend import BackendConfig, BackendThread
from mock_backend.app import ALL_ROUTES
from mock_backend.routes.openapi import build_openapi

# Routes whose 5xx answers are the point (scripted and injected failures) are
# still fuzzed; the check below only accepts 5xx that the backend labels as such.
schema = schemathesis.openapi.from_dict(build_openapi(ALL_ROUTES))


@pytest.fixture(scope="module")
def fuzz_backend() -> Iterator[BackendThread]:
    # Its own backend: the fuzzer moves the shared clock and injects faults.
    with BackendThread(BackendConfig(proxy=False)) as backend:
        yield backend


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_route_fails_on_any_input(case: schemathesis.Case, fuzz_backend: BackendThread) -> None:
    # A fresh tenant per case: a fault the fuzzer injects never leaks into the next case.
    name = f"fuzz-{secrets.token_hex(4)}"
    base = fuzz_backend.tenant(name).issuer
    try:
        response = case.call(base_url=base, timeout=10)
    finally:
        fuzz_backend.delete_tenant(name)
    where = f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    raw_type = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
    content_type = raw_type[0] if isinstance(raw_type, list) else raw_type
    if response.status_code == 202:  # an MCP notification accepted: no body
        assert not response.content, where
        return
    # The model endpoint streams its answers as SSE.
    assert content_type.startswith(("application/json", "text/html", "text/event-stream")), where
    if response.status_code >= 400 and content_type.startswith("application/json"):
        body = response.json()
        # OAuth routes say why in error_description; chatgpt.com routes in detail;
        # the MCP endpoint in a JSON-RPC error.
        rpc_error = body.get("error") if isinstance(body.get("error"), dict) else {}
        description = str(
            body.get("error_description") or body.get("detail") or rpc_error.get("message") or ""
        )
        assert description, where
        if response.status_code >= 500:
            # Only deliberate failures: an injected fault or a scripted outcome says so.
            assert "injected" in description or "scripted" in description, where
    else:
        assert response.status_code < 500, where
