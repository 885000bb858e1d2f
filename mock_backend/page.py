"""Server-rendered pages for people: approve a device code, finish a browser login.

No scripts, no external assets: the pages work in any browser, behind any proxy,
offline. Every control has a label; results are announced with role=status.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .device_codes import DeviceCode
from .grants import BrowserRequest
from .personas import PLAN_TYPES, Persona

_STYLE = (Path(__file__).parent / "assets" / "page.css").read_text(encoding="utf-8")


def _layout(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}<footer>Mock ChatGPT sign-in for local development. "
        "No real account is used.</footer></main></body></html>"
    )


def _plan_options(selected: str) -> str:
    return "".join(
        f'<option value="{p}"{" selected" if p == selected else ""}>{p}</option>'
        for p in PLAN_TYPES
    )


def _persona_fields(persona: Persona) -> str:
    return (
        '<label for="name">Name</label>'
        f'<input id="name" name="name" value="{escape(persona.name)}" autocomplete="off">'
        '<label for="email">Email</label>'
        f'<input id="email" name="email" type="email" value="{escape(persona.email)}" '
        'autocomplete="off">'
        '<label for="plan_type">Plan</label>'
        f'<select id="plan_type" name="plan_type">{_plan_options(persona.plan_type)}</select>'
    )


def device_page(
    action: str,
    persona: Persona,
    user_code: str = "",
    pending: list[DeviceCode] | None = None,
    message: str | None = None,
    ok: bool = True,
) -> str:
    """The verification page: enter the code, choose who you are, approve or deny."""
    status = ""
    if message:
        cls = "ok" if ok else "bad"
        status = f'<div class="status {cls}" role="status" aria-live="polite">{message}</div>'
    waiting = ""
    if pending:
        items = "".join(
            f'<li><a href="?user_code={escape(c.user_code)}"><code>{escape(c.user_code)}</code>'
            f"</a> — {c.polls} poll{'s' if c.polls != 1 else ''} so far</li>"
            for c in pending[:20]
        )
        waiting = (
            "<details><summary>Codes waiting here</summary>"
            f'<ul class="codes">{items}</ul></details>'
        )
    body = (
        "<h1>Sign in to Codex with a device code</h1>"
        '<p class="lead">Enter the code your app shows, pick who you are, then approve.</p>'
        f"{status}"
        f'<form method="post" action="{escape(action)}">'
        '<label for="user_code">Device code</label>'
        f'<input id="user_code" name="user_code" value="{escape(user_code)}" required '
        'placeholder="ABCD-EFGH" autocomplete="one-time-code" spellcheck="false">'
        f"{_persona_fields(persona)}"
        "<details><summary>Advanced</summary>"
        '<label for="account_id">Workspace (account) id</label>'
        f'<input id="account_id" name="account_id" value="{escape(persona.account_id)}">'
        "</details>"
        '<div class="row">'
        '<button class="approve" type="submit" name="decision" value="approve">Approve</button>'
        '<button class="deny" type="submit" name="decision" value="deny">Deny</button>'
        "</div></form>"
        f"{waiting}"
    )
    return _layout("Codex device sign-in (mock)", body)


def result_page(action: str, message: str) -> str:
    """After a decision: what happened and what happens next, and a way back."""
    body = (
        "<h1>Sign in to Codex with a device code</h1>"
        f'<div class="status ok" role="status" aria-live="polite">{message}</div>'
        f'<p><a href="{escape(action)}">Enter another code</a></p>'
    )
    return _layout("Codex device sign-in (mock)", body)


def refusal_page(reason: str) -> str:
    """A request the mock refused before reading it: why, in words a person can act on."""
    body = (
        "<h1>Request refused</h1>"
        f'<div class="status bad" role="status" aria-live="polite">{escape(reason)}</div>'
    )
    return _layout("Request refused (mock)", body)


def approved_message(code: DeviceCode, persona: Persona) -> str:
    return (
        f"<strong>Approved.</strong> Code <code>{escape(code.user_code)}</code> now signs in "
        f"{escape(persona.name)} &lt;{escape(persona.email)}&gt; on the "
        f"<strong>{escape(persona.plan_type)}</strong> plan. Return to your app: it finishes "
        f"signing in at its next poll, within {code.interval} second"
        f"{'s' if code.interval != 1 else ''}."
    )


def denied_message(code: DeviceCode) -> str:
    return (
        f"<strong>Denied.</strong> Code <code>{escape(code.user_code)}</code> will not sign in; "
        "your app reports the failure at its next poll."
    )


def browser_login_page(request: BrowserRequest, persona: Persona, base: str) -> str:
    """The page a browser login lands on when no outcome is scripted."""
    body = (
        "<h1>Sign in to Codex</h1>"
        '<p class="lead">A local app asks to sign in with ChatGPT. Choose who you are.</p>'
        f'<form method="post" action="{escape(base)}/oauth/authorize">'
        f'<input type="hidden" name="request_id" value="{escape(request.id)}">'
        f"{_persona_fields(persona)}"
        '<div class="row">'
        '<button class="approve" type="submit" name="decision" value="approve">Continue</button>'
        '<button class="deny" type="submit" name="decision" value="deny">Cancel</button>'
        "</div></form>"
        f"<p>You will be sent back to <code>{escape(request.redirect_uri)}</code>.</p>"
    )
    return _layout("Sign in to Codex (mock)", body)
