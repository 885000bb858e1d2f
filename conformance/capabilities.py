"""What a server can lack: the names ``--app-server-lacks`` takes and scenarios need.

A scenario's needs are derived (each step kind says what it needs, ``home`` files
add theirs) plus what ``requires.capabilities`` declares; a server declared to lack
one skips the scenarios that need it, with the reason in the report.
"""

from __future__ import annotations

#: ``account/login/start`` ``type`` -> the capability that login needs.
LOGIN_CAPABILITY = {
    "apiKey": "api-key-login",
    "chatgptDeviceCode": "device-code-login",
    "chatgpt": "browser-login",
    "chatgptAuthTokens": "chatgpt-auth-tokens",
}

CAPABILITIES = (
    *LOGIN_CAPABILITY.values(),
    "rate-limits",
    "server-requests",
    "config-toml",
)
