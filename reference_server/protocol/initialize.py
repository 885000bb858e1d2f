"""``initialize``: the handshake every connection starts with."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .base import WireModel


class ClientInfo(WireModel):
    name: str
    title: str | None = None
    version: str


class InitializeCapabilities(WireModel):
    experimental_api: bool = Field(
        default=False, description="Opt into experimental methods and fields."
    )
    opt_out_notification_methods: list[str] | None = None
    extensions: dict[str, Any] | None = None


class InitializeParams(WireModel):
    client_info: ClientInfo
    capabilities: InitializeCapabilities | None = None


class InitializeResponse(WireModel):
    user_agent: str = Field(description="`name/version (platform) ...`, as clients parse it.")
    codex_home: str
    platform_family: str
    platform_os: str
