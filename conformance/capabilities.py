"""What a server can lack: the names ``--app-server-lacks`` takes and scenarios need.

A scenario's needs are derived (each step kind says what it needs, ``home`` files
add theirs) plus what ``requires.capabilities`` declares; a server declared to lack
one skips the scenarios that need it, with the reason in the report.
"""

from __future__ import annotations

#: ``account/login/start`` ``type`` -> the capability that login needs: every login kind
#: a vendored bundle declares (``LoginAccountParams``), which a test holds it to, so a kind
#: a new release adds is given a capability when its bundle is vendored.
LOGIN_CAPABILITY = {
    "apiKey": "api-key-login",
    "chatgptDeviceCode": "device-code-login",
    "chatgpt": "browser-login",
    "chatgptAuthTokens": "chatgpt-auth-tokens",
    "amazonBedrock": "amazon-bedrock-login",
    "amazonBedrockAccessKeys": "amazon-bedrock-access-keys-login",
}

#: Threads, turns and the model catalog: a server of the account surface only lacks it.
CONVERSATION = "conversation"
#: The method families of the conversation: threads, turns, the model catalog, and what a
#: turn sends (``item/...`` notifications and approval requests, ``serverRequest/resolved``).
CONVERSATION_PREFIXES = ("thread/", "turn/", "item/", "model/", "serverRequest/")
#: ``account/rateLimits/read`` and the rate-limit notifications.
RATE_LIMITS = "rate-limits"
#: Requests the server sends the client (approvals) and waits on.
SERVER_REQUESTS = "server-requests"
#: Reading the ``config.toml`` a scenario writes into ``CODEX_HOME``.
CONFIG_TOML = "config-toml"


def method_capability(method: str) -> str | None:
    """The capability a request method needs, beyond the account surface's basics."""
    if method == "account/rateLimits/read":
        return RATE_LIMITS
    if method.startswith(CONVERSATION_PREFIXES):
        return CONVERSATION
    return None


CAPABILITIES = (
    *LOGIN_CAPABILITY.values(),
    RATE_LIMITS,
    SERVER_REQUESTS,
    CONFIG_TOML,
    CONVERSATION,
)
