"""The account surface: read, login (four ways), cancel, logout, and their notifications.

Rate limits have a module of their own (:mod:`.rate_limits`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel

from .base import WireModel

UNSTABLE = "[UNSTABLE] FOR OPENAI INTERNAL USE ONLY - DO NOT USE."


class PlanType(StrEnum):
    FREE = "free"
    GO = "go"
    PLUS = "plus"
    PRO = "pro"
    PROLITE = "prolite"
    PROMAX = "promax"
    TEAM = "team"
    SELF_SERVE_BUSINESS_PROLITE = "self_serve_business_prolite"
    SELF_SERVE_BUSINESS_USAGE_BASED = "self_serve_business_usage_based"
    BUSINESS = "business"
    ENT26 = "ent26"
    ENTERPRISE_CBP_AUTOMATION = "enterprise_cbp_automation"
    ENTERPRISE_CBP_USAGE_BASED = "enterprise_cbp_usage_based"
    ENTERPRISE = "enterprise"
    EDU = "edu"
    EDU_PLUS = "edu_plus"
    EDU_PRO = "edu_pro"
    UNKNOWN = "unknown"


class AuthMode(StrEnum):
    """Authentication mode for OpenAI-backed providers (the modes this surface uses)."""

    APIKEY = "apikey"
    CHATGPT = "chatgpt"
    CHATGPT_AUTH_TOKENS = "chatgptAuthTokens"


# -- account/read -----------------------------------------------------------------------


class GetAccountParams(WireModel):
    refresh_token: bool = Field(
        default=False, description="Refresh managed ChatGPT tokens before answering."
    )


class ApiKeyAccount(WireModel):
    model_config = ConfigDict(title="ApiKeyAccount")

    type: Literal["apiKey"]


class ChatgptAccount(WireModel):
    model_config = ConfigDict(title="ChatgptAccount")

    type: Literal["chatgpt"]
    email: str | None
    plan_type: PlanType


class Account(RootModel[Annotated[ApiKeyAccount | ChatgptAccount, Field(discriminator="type")]]):
    """The logged-in account: an API key, or a ChatGPT login."""

    model_config = ConfigDict(frozen=True)


class AccountRoutingOverride(StrEnum):
    NO_CONSTRAINT = "NO_CONSTRAINT"
    US = "us"
    US_CR = "us_cr"


class WorkspaceRouting(WireModel):
    chatgpt_account_id: str
    backend_origin: str
    account_routing_override: AccountRoutingOverride


class GetAccountResponse(WireModel):
    account: Account | None = None
    requires_openai_auth: bool
    workspace_routing: WorkspaceRouting | None = Field(
        default=None, description=f"{UNSTABLE} Workspace routing of the ChatGPT account."
    )


# -- account/login/start ------------------------------------------------------------------
# One params and one response model per login kind. The unions upstream names
# ``LoginAccountParams`` and ``LoginAccountResponse`` are built from the login registry
# (:data:`reference_server.handlers.login.KINDS`), which lists each kind once.


class ApiKeyLoginParams(WireModel):
    model_config = ConfigDict(title="ApiKeyv2::LoginAccountParams")

    type: Literal["apiKey"]
    api_key: str


class ChatgptLoginParams(WireModel):
    model_config = ConfigDict(title="Chatgptv2::LoginAccountParams")

    type: Literal["chatgpt"]


class ChatgptDeviceCodeLoginParams(WireModel):
    model_config = ConfigDict(title="ChatgptDeviceCodev2::LoginAccountParams")

    type: Literal["chatgptDeviceCode"]


class ChatgptAuthTokensLoginParams(WireModel):
    model_config = ConfigDict(
        title="ChatgptAuthTokensv2::LoginAccountParams",
        json_schema_extra={
            "description": f"{UNSTABLE} The access token must contain the same scopes that "
            "Codex-managed ChatGPT auth tokens have."
        },
    )

    type: Literal["chatgptAuthTokens"]
    access_token: str = Field(description="Access token (JWT) supplied by the client.")
    chatgpt_account_id: str = Field(description="Workspace/account identifier.")
    chatgpt_plan_type: str | None = Field(
        default=None, description="Plan type; derived from the token's claims when null."
    )


class ApiKeyLoginResponse(WireModel):
    model_config = ConfigDict(title="ApiKeyv2::LoginAccountResponse")

    type: Literal["apiKey"]


class ChatgptLoginResponse(WireModel):
    model_config = ConfigDict(title="Chatgptv2::LoginAccountResponse")

    type: Literal["chatgpt"]
    login_id: str
    auth_url: str


class ChatgptDeviceCodeLoginResponse(WireModel):
    model_config = ConfigDict(title="ChatgptDeviceCodev2::LoginAccountResponse")

    type: Literal["chatgptDeviceCode"]
    login_id: str
    verification_url: str
    user_code: str


class ChatgptAuthTokensLoginResponse(WireModel):
    model_config = ConfigDict(title="ChatgptAuthTokensv2::LoginAccountResponse")

    type: Literal["chatgptAuthTokens"]


# -- account/login/cancel, account/logout ---------------------------------------------------


class CancelLoginAccountParams(WireModel):
    login_id: str


class CancelLoginAccountStatus(StrEnum):
    CANCELED = "canceled"
    NOT_FOUND = "notFound"


class CancelLoginAccountResponse(WireModel):
    status: CancelLoginAccountStatus


class LogoutAccountResponse(WireModel):
    pass


# -- notifications --------------------------------------------------------------------------


class DesktopOnboardingEntrypoint(StrEnum):
    LIFE_SCIENCES = "life_sciences"


class AccountLoginCompletedNotification(WireModel):
    login_id: str | None = None
    success: bool
    error: str | None = None
    onboarding_entrypoint: DesktopOnboardingEntrypoint | None = None


class AccountUpdatedNotification(WireModel):
    auth_mode: AuthMode | None = None
    plan_type: PlanType | None = None


# -- server request: account/chatgptAuthTokens/refresh ------------------------------------------


class ChatgptAuthTokensRefreshReason(StrEnum):
    UNAUTHORIZED = "unauthorized"


class ChatgptAuthTokensRefreshParams(WireModel):
    reason: ChatgptAuthTokensRefreshReason
    previous_account_id: str | None = None


class ChatgptAuthTokensRefreshResponse(WireModel):
    access_token: str
    chatgpt_account_id: str
    chatgpt_plan_type: str | None = None
