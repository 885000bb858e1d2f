"""``/codex/device``: where a person approves or denies a device code.

The same page serves the proxied ``https://auth.openai.com/codex/device`` and the
direct loopback address a person's own browser can reach (``verification_page``
of the ready line). Each tenant has its own page and it finds only that tenant's
codes: a code typed on another tenant's page is "not waiting here", whoever it
belongs to.
"""

from __future__ import annotations

from aiohttp import web

from ..device_codes import CodeState, DeviceCode
from ..http_io import backend, entry, html_response, object_body, string_fields, tenant
from ..page import approved_message, denied_message, device_page, result_page
from ..personas import PersonaFields
from . import Route, surface


def _html(text: str, status: int = 200) -> web.Response:
    return html_response(text, status)


def _pending(request: web.Request) -> list[DeviceCode]:
    return [c for c in tenant(request).codes.values() if c.state is CodeState.PENDING]


async def show(request: web.Request) -> web.StreamResponse:
    state = backend(request)
    code = request.query.get("user_code", "")
    return _html(device_page(request.path, state.personas.suggest(), code[:32], _pending(request)))


async def submit(request: web.Request) -> web.StreamResponse:
    state = backend(request)
    form = string_fields(
        object_body(request), "user_code", "decision", "name", "email", "plan_type", "account_id"
    )
    typed = form.get("user_code", "").strip()
    log = entry(request)
    code = state.device.find(typed, tenant(request)) if typed else None
    suggestion = state.personas.suggest()
    if code is None:
        message = (
            f"No code <code>{_safe(typed)}</code> is waiting here. Check the code your app "
            "shows (it looks like ABCD-EFGH) and that this is its tenant's page."
            if typed
            else "Enter the code your app shows."
        )
        return _html(
            device_page(request.path, suggestion, typed[:32], _pending(request), message, False),
            status=404 if typed else 400,
        )
    if log is not None:
        log.user_code = code.user_code
    decision = form.get("decision", "approve")
    if code.state is not CodeState.PENDING:
        message = f"Code <code>{code.user_code}</code> is already {code.state.value}."
        return _html(
            device_page(request.path, suggestion, "", _pending(request), message, False),
            status=409,
        )
    if decision == "deny":
        code.decide(CodeState.DENIED)
        return _html(result_page(request.path, denied_message(code)))
    try:
        fields = PersonaFields.model_validate(
            {k: form[k] for k in ("name", "email", "plan_type", "account_id") if form.get(k)}
        )
    except ValueError:
        return _html(
            device_page(
                request.path,
                suggestion,
                code.user_code,
                _pending(request),
                "Those persona fields are not valid (plan or lengths).",
                False,
            ),
            status=400,
        )
    persona = state.device.approve(code, fields)
    assert persona is not None
    return _html(result_page(request.path, approved_message(code, persona)))


def _safe(text: str) -> str:
    from html import escape

    return escape(text[:32])


ROUTES = surface(
    "page",
    [
        Route(
            "device_page",
            "GET",
            "/codex/device",
            show,
            "The device-code approval page.",
            query=("user_code",),
        ),
        Route(
            "device_page_submit",
            "POST",
            "/codex/device",
            submit,
            "Approve or deny a code from the page (form).",
        ),
    ],
)
