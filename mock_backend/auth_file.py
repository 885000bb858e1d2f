"""``auth.json`` as codex writes it after a ChatGPT sign-in, for tokens the mock minted.

A conversation needs a signed-in server, and a login through the device-code flow
is a story of its own: tests and scenarios write this file into ``CODEX_HOME``
before the server starts instead (``mint_tokens`` saves it as ``auth_json``), so
the server starts signed in with tokens its tenant issued and can refresh.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def auth_json(minted: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The file's content for a ``POST {control}/tokens`` answer (``last_refresh``: now,
    so the server does not refresh them at start)."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": minted["id_token"],
            "access_token": minted["access_token"],
            "refresh_token": minted["refresh_token"],
            "account_id": minted["persona"]["account_id"],
        },
        "last_refresh": when.isoformat().replace("+00:00", "Z"),
    }


def auth_json_text(minted: dict[str, Any]) -> str:
    return json.dumps(auth_json(minted), indent=2)


def write_auth_json(home: Path, minted: dict[str, Any]) -> Path:
    """Write ``home/auth.json`` for ``minted`` tokens, readable by its owner only (0600,
    as codex keeps it: it holds a refresh token), never readable by others even briefly."""
    path = home / "auth.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # an existing file keeps its mode through O_CREAT
        file.write(auth_json_text(minted))
    return path
