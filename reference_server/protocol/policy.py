"""The policies a thread runs under: when commands need the client's approval, who
reviews them, and the sandbox a thread reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, GetJsonSchemaHandler, RootModel, model_validator
from pydantic_core import PydanticCustomError

from .base import ServerModel


class AskForApprovalMode(StrEnum):
    UNTRUSTED = "untrusted"
    ON_REQUEST = "on-request"
    NEVER = "never"


class AskForApproval(RootModel[AskForApprovalMode | dict[str, dict[str, bool]]]):
    """When commands need the client's approval: a mode, or ``{"granular": {...}}``
    (``on-failure`` is gone in 0.163.0 and refused with upstream's words)."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _serde_words(cls, value: Any) -> Any:
        modes = {m.value for m in AskForApprovalMode}
        granular = isinstance(value, dict) and set(value) == {"granular"}
        if (isinstance(value, str) and value not in modes) or (
            not isinstance(value, str) and not granular
        ):
            shown = value if isinstance(value, str) else type(value).__name__
            raise PydanticCustomError(
                "serde",
                "unknown variant `{value}`, expected one of `untrusted`, `on-request`, "
                "`granular`, `never`",
                {"value": shown},
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: GetJsonSchemaHandler) -> Any:
        """Upstream's shape: the modes, or an object with the granular switches."""
        switches = {
            name: {"type": "boolean"}
            for name in (
                "mcp_elicitations",
                "request_permissions",
                "rules",
                "sandbox_approval",
                "skill_approval",
            )
        }
        return {
            "oneOf": [
                {"enum": [m.value for m in AskForApprovalMode], "type": "string"},
                {
                    "additionalProperties": False,
                    "properties": {
                        "granular": {
                            "properties": switches,
                            "required": ["mcp_elicitations", "rules", "sandbox_approval"],
                            "type": "object",
                        }
                    },
                    "required": ["granular"],
                    "title": "GranularAskForApproval",
                    "type": "object",
                },
            ]
        }

    @property
    def asks(self) -> bool:
        """Whether a command waits for the client (``never`` runs it without asking)."""
        return self.root != AskForApprovalMode.NEVER


class SandboxMode(StrEnum):
    READ_ONLY = "read-only"
    WORKSPACE_WRITE = "workspace-write"
    DANGER_FULL_ACCESS = "danger-full-access"


class ReadOnlySandboxPolicy(ServerModel):
    model_config = ConfigDict(title="ReadOnlySandboxPolicy")

    type: Literal["readOnly"] = "readOnly"
    network_access: bool = False


class WorkspaceWriteSandboxPolicy(ServerModel):
    model_config = ConfigDict(title="WorkspaceWriteSandboxPolicy")

    type: Literal["workspaceWrite"] = "workspaceWrite"
    writable_roots: list[str] = Field(default_factory=list)
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False


class DangerFullAccessSandboxPolicy(ServerModel):
    model_config = ConfigDict(title="DangerFullAccessSandboxPolicy")

    type: Literal["dangerFullAccess"] = "dangerFullAccess"


class SandboxPolicy(
    RootModel[
        Annotated[
            ReadOnlySandboxPolicy | WorkspaceWriteSandboxPolicy | DangerFullAccessSandboxPolicy,
            Field(discriminator="type"),
        ]
    ]
):
    """The sandbox a thread reports. The reference server runs commands without one."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def of(cls, mode: SandboxMode) -> SandboxPolicy:
        if mode is SandboxMode.WORKSPACE_WRITE:
            return cls(WorkspaceWriteSandboxPolicy())
        if mode is SandboxMode.DANGER_FULL_ACCESS:
            return cls(DangerFullAccessSandboxPolicy())
        return cls(ReadOnlySandboxPolicy())


class ApprovalsReviewer(StrEnum):
    USER = "user"
    AUTO_REVIEW = "auto_review"
    GUARDIAN_SUBAGENT = "guardian_subagent"
