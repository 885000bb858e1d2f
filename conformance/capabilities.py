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


def method_capability(method: str) -> str | None:
    """The capability a request method needs, beyond the account surface's basics."""
    if method == "account/rateLimits/read":
        return "rate-limits"
    if method.startswith(("thread/", "turn/")) or method == "model/list":
        return CONVERSATION
    return None


CAPABILITIES = (
    *LOGIN_CAPABILITY.values(),
    "rate-limits",
    "server-requests",
    "config-toml",
    CONVERSATION,
)
