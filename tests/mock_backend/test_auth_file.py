"""``write_auth_json``: the signed-in ``auth.json`` tests and benchmarks start codex with,
readable by its owner only (it holds a refresh token)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from mock_backend.auth_file import auth_json, write_auth_json
from mock_backend.tenant_handle import MockTenant


def test_write_auth_json_keeps_the_tokens_to_their_owner(
    mock_tenant: MockTenant, tmp_path: Path
) -> None:
    minted = mock_tenant.control.mint_tokens(email="file@example.com")
    stale = tmp_path / "auth.json"
    stale.write_text("{}")
    stale.chmod(0o644)  # a file already there does not keep its looser mode
    path = write_auth_json(tmp_path, minted)
    assert path == stale
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = json.loads(path.read_text())
    assert written["tokens"]["refresh_token"] == minted["refresh_token"]
    assert written == {**auth_json(minted), "last_refresh": written["last_refresh"]}
