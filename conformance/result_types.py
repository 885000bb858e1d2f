"""Which type the answer to each request carries, from a bundle's own files.

Upstream's method maps (``ClientRequest.json``, ``ServerRequest.json``) name each
method's params type but not its result type. Releases name them by one convention,
``XParams`` -> ``XResponse`` (``GetAccountParams`` -> ``GetAccountResponse``); the
methods it does not cover (no params at all, or a result shared by several methods)
are declared below, as the releases answer them. A test resolves every request method
of every vendored bundle, so a new release with a method neither covers fails there,
not in a user's run.
"""

from __future__ import annotations

from collections.abc import Collection

#: method -> result type, where the naming convention does not apply.
DECLARED = {
    "account/logout": "LogoutAccountResponse",
    "account/rateLimits/read": "GetAccountRateLimitsResponse",
    "account/gatewayOAuth/read": "GatewayOAuthReadResponse",  # params from 0.169.0 on
    "account/gatewayOAuth/login": "GatewayOAuthLoginResponse",  # params from 0.169.0 on
    "account/gatewayOAuth/cancel": "GatewayOAuthCancelResponse",
    "account/securitySetup/read": "GetAccountSecuritySetupResponse",
    "account/workspaceMessages/read": "GetWorkspaceMessagesResponse",
    "config/mcpServer/reload": "McpServerRefreshResponse",
    "configRequirements/read": "ConfigRequirementsReadResponse",
    "externalAgentConfig/import/readHistories": "ExternalAgentConfigImportHistoriesReadResponse",
    "windowsSandbox/readiness": "WindowsSandboxReadinessResponse",
    # Writes of config.toml answer with what was written (seen on the wire from 0.171.0).
    "config/value/write": "ConfigWriteResponse",
    "config/batchWrite": "ConfigWriteResponse",
    "modelProvider/default/set": "ConfigWriteResponse",
}


class UnresolvedMethod(LookupError):
    """A request method whose result type neither the convention nor the table gives."""


def result_type(method: str, params_type: str | None, types: Collection[str]) -> str:
    """The result type of ``method`` in a bundle that defines ``types``."""
    declared = DECLARED.get(method)
    if declared is not None and declared in types:
        return declared
    if params_type is not None and params_type.endswith("Params"):
        candidate = params_type[: -len("Params")] + "Response"
        if candidate in types:
            return candidate
    raise UnresolvedMethod(
        f"{method} (params {params_type or 'none'}): no {declared or 'XParams -> XResponse'} "
        "type in this bundle; declare it in conformance/result_types.py"
    )


def result_types(
    requests: dict[str, str | None], types: Collection[str]
) -> tuple[dict[str, str], list[str]]:
    """method -> result type for every request method, and the methods left unresolved."""
    found: dict[str, str] = {}
    unresolved: list[str] = []
    for method, params in requests.items():
        try:
            found[method] = result_type(method, params, types)
        except UnresolvedMethod as exc:
            unresolved.append(str(exc))
    return found, unresolved
