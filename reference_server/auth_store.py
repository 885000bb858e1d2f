"""``$CODEX_HOME/auth.json`` in upstream's format, written atomically with mode 0600.

The real binary and this server read each other's file: ``auth_mode``,
``OPENAI_API_KEY``, ``tokens`` (``id_token``, ``access_token``, ``refresh_token``,
``account_id``) and ``last_refresh``.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUTH_CLAIM = "https://api.openai.com/auth"
TOKEN_FIELDS = ("id_token", "access_token", "refresh_token", "account_id")

log = logging.getLogger("reference_server")


def jwt_claims(token: str) -> dict[str, Any]:
    """Claims of a JWT, unverified (upstream does not check the signature either)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class StoredAuth:
    mode: str  # "apikey", "chatgpt", or "chatgptAuthTokens" (in memory only, never saved)
    api_key: str | None = None
    id_token: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    account_id: str | None = None

    #: chatgptAuthTokens: the plan the client gave (the token's claim when None).
    given_plan: str | None = None

    @property
    def email(self) -> str | None:
        """From the id token, or the access token when there is none (chatgptAuthTokens)."""
        for token in (self.id_token, self.access_token):
            value = jwt_claims(token or "").get("email")
            if isinstance(value, str):
                return value
            profile = jwt_claims(token or "").get("https://api.openai.com/profile")
            if isinstance(profile, dict) and isinstance(profile.get("email"), str):
                return str(profile["email"])
        return None

    @property
    def plan_type(self) -> str | None:
        if self.given_plan:
            return self.given_plan
        auth = jwt_claims(self.id_token or self.access_token or "").get(AUTH_CLAIM)
        plan = auth.get("chatgpt_plan_type") if isinstance(auth, dict) else None
        return plan if isinstance(plan, str) else None


class AuthStore:
    def __init__(self, codex_home: Path) -> None:
        self.path = codex_home / "auth.json"

    def load(self) -> StoredAuth | None:
        """The stored login; ``None`` when there is none, or none that can be read.

        Like upstream, a file that is not a login (garbage, a wrong shape, nesting no
        parser takes) means nobody is signed in, and a logout still removes it; what is
        wrong with it, and where, goes to stderr.
        """
        try:
            return self._read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            log.error("ignoring %s: %s", self.path, f"{type(exc).__name__}: {exc}"[:300])
            return None

    def _read(self) -> StoredAuth | None:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        tokens = data.get("tokens")
        key = data.get("OPENAI_API_KEY")
        mode = data.get("auth_mode")
        if mode is None:
            mode = "apikey" if key else "chatgpt"
        if mode == "apikey" and key:
            if not isinstance(key, str):
                raise ValueError("OPENAI_API_KEY is not a string")
            return StoredAuth(mode="apikey", api_key=key)
        if mode == "chatgpt" and isinstance(tokens, dict) and tokens:
            values = {name: tokens.get(name) for name in TOKEN_FIELDS}
            wrong = [n for n, v in values.items() if v is not None and not isinstance(v, str)]
            if wrong:
                raise ValueError(f"tokens.{wrong[0]} is not a string")
            return StoredAuth(mode="chatgpt", **values)
        return None

    def save(self, auth: StoredAuth) -> None:
        if auth.mode == "apikey":
            data: dict[str, Any] = {"auth_mode": "apikey", "OPENAI_API_KEY": auth.api_key}
        else:
            data = {
                "auth_mode": "chatgpt",
                "OPENAI_API_KEY": None,
                "tokens": {
                    "id_token": auth.id_token,
                    "access_token": auth.access_token,
                    "refresh_token": auth.refresh_token,
                    "account_id": auth.account_id,
                },
                "last_refresh": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".auth.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
