"""pytest fixtures over the library: one backend per session, one tenant per test.

``mock_backend`` is a :class:`BackendThread` shared by a session (each xdist
worker has its own); ``mock_tenant`` gives every test its own tenant (deleted
after the test), so tests running in parallel never see each other's codes,
scripts or journal;
``mock_model`` scripts that tenant's model.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from .config import BackendConfig
from .model_handle import MockModel
from .tenant_handle import MockTenant
from .thread_runner import BackendThread


@pytest.fixture(scope="session")
def mock_backend() -> Iterator[BackendThread]:
    with BackendThread(BackendConfig()) as backend:
        yield backend


@pytest.fixture
def mock_tenant(
    mock_backend: BackendThread, request: pytest.FixtureRequest
) -> Iterator[MockTenant]:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:40].strip("-._") or "test"
    tenant = MockTenant.of(mock_backend.tenant(f"{slug}-{secrets.token_hex(3)}"))
    yield tenant
    mock_backend.delete_tenant(tenant.name)


@pytest.fixture
def mock_model(mock_tenant: MockTenant) -> MockModel:
    """The scripted model of this test's tenant: ``mock_model.respond({"text": "hi"})``."""
    return MockModel(mock_tenant.control)
