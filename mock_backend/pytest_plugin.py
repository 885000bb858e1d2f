"""What the pytest fixtures make: one backend per session, one tenant per test.

The fixtures ``mock_backend``, ``mock_tenant`` and ``mock_model`` are declared in the
kit's entry module (``codex_app_server_kit_plugin``, loaded by pytest at every start):
declaring them there costs nothing, and this module, with the backend it imports, is
loaded only when a test asks for one. ``mock_backend`` is a :class:`BackendThread`
shared by a session (each xdist worker has its own); ``mock_tenant`` gives every test its
own tenant (deleted after the test), so tests running in parallel never see each other's
codes, scripts or journal; ``mock_model`` scripts that tenant's model.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from .config import BackendConfig
from .model_handle import MockModel
from .tenant_handle import MockTenant
from .thread_runner import BackendThread


def backend() -> Iterator[BackendThread]:
    with BackendThread(BackendConfig()) as running:
        yield running


def tenant(running: BackendThread, test_name: str) -> Iterator[MockTenant]:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)[:40].strip("-._") or "test"
    made = MockTenant.of(running.tenant(f"{slug}-{secrets.token_hex(3)}"))
    yield made
    running.delete_tenant(made.name)


def model(of: MockTenant) -> MockModel:
    return MockModel(of.control)
