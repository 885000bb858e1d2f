"""What the server reads from its environment, as the real binary does for this surface.

``CODEX_HOME``; ``$CODEX_HOME/config.toml`` (``chatgpt_base_url``, and what
:mod:`~reference_server.conversation.provider` reads) and ``-c key=value`` overrides;
the issuer override ``CODEX_APP_SERVER_LOGIN_ISSUER``; the refresh/revoke URL overrides;
``CODEX_CA_CERTIFICATE``. Proxies come from the standard variables.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ISSUER = "https://auth.openai.com"
DEFAULT_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/"
CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"


@dataclass(frozen=True)
class Settings:
    codex_home: Path
    issuer: str
    chatgpt_base_url: str
    client_id: str
    ca_certificate: Path | None
    refresh_url: str
    revoke_url: str
    #: "chatgpt" or "api": the only login method allowed (config ``forced_login_method``).
    forced_login_method: str | None = None
    #: Workspaces a ChatGPT login may land in (config ``forced_chatgpt_workspace_id``).
    forced_workspaces: tuple[str, ...] = ()
    #: ``config.toml`` as read, with the ``-c`` overrides on top (their keys dotted).
    config: dict[str, Any] = field(default_factory=dict)

    def lookup(self, key: str) -> Any:
        """A config value by dotted key (``model_providers.openai.stream_max_retries``):
        a ``-c`` override first, then the nested tables of ``config.toml``."""
        if key in self.config:
            return self.config[key]
        node: Any = self.config
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    @classmethod
    def load(cls, overrides: dict[str, str] | None = None) -> Settings:
        home = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")
        config: dict[str, object] = {}
        config_file = home / "config.toml"
        if config_file.is_file():
            try:
                config = tomllib.loads(config_file.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                config = {}
        config.update(overrides or {})
        issuer = (os.environ.get("CODEX_APP_SERVER_LOGIN_ISSUER") or DEFAULT_ISSUER).rstrip("/")
        base = str(config.get("chatgpt_base_url") or DEFAULT_CHATGPT_BASE_URL)
        if not base.endswith("/"):
            base += "/"
        ca = os.environ.get("CODEX_CA_CERTIFICATE")
        forced = config.get("forced_login_method")
        workspaces = config.get("forced_chatgpt_workspace_id")
        if isinstance(workspaces, str):
            workspaces = [w.strip() for w in workspaces.split(",") if w.strip()]
        return cls(
            codex_home=home,
            issuer=issuer,
            chatgpt_base_url=base,
            client_id=os.environ.get("CODEX_APP_SERVER_LOGIN_CLIENT_ID") or CLIENT_ID,
            ca_certificate=Path(ca) if ca else None,
            refresh_url=os.environ.get("CODEX_REFRESH_TOKEN_URL_OVERRIDE")
            or f"{DEFAULT_ISSUER}/oauth/token",
            revoke_url=os.environ.get("CODEX_REVOKE_TOKEN_URL_OVERRIDE")
            or f"{DEFAULT_ISSUER}/oauth/revoke",
            forced_login_method=str(forced) if forced else None,
            forced_workspaces=tuple(str(w) for w in workspaces)
            if isinstance(workspaces, list)
            else (),
            config=config,
        )


def parse_override(text: str) -> tuple[str, str]:
    """``-c key=value`` with a TOML value (bare strings accepted, as upstream does)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"-c expects key=value, got {text!r}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), str(value)
