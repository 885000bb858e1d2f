"""The backend actions a scenario can take, by name: one registry that the
conformance kit's scenario check, its runner and its docs table all derive from.

A scenario writes ``backend: {approve: {user_code: ABCD-EFGH}}``; the name picks an
entry here, which performs it on the scenario's tenant through the control API (or,
for ``revoke``, at the upstream revocation endpoint, as a client would) and returns
what the scenario may save, by name. An action whose argument is the body of a control
route takes its wording and its ``form`` from that route (the control API's own
pydantic model), and has its argument checked when the scenario is loaded, so a
malformed script is an error naming the file and the step; for the others a wrong
shape surfaces as the error the control API or Python gives, which the caller reports
as the environment's fault.

Print the docs table with ``python -m mock_backend.backend_actions``.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import BaseModel, RootModel

from .auth_file import auth_json_text
from .model.catalog import CatalogBody
from .model.forms import ScriptedResponse
from .model.model_state import ModelSettings
from .routes.control import ROUTES as CONTROL_ROUTES

if TYPE_CHECKING:
    from .tenant_handle import MockTenant

#: Values an action hands back for the scenario to save, by name.
Saved = dict[str, Any]


@dataclass(frozen=True)
class BackendAction:
    name: str
    #: How a scenario writes the argument (the docs table's middle column).
    argument: str
    #: What the action does, in one line (the docs table's last column).
    does: str
    perform: Callable[[MockTenant, Any], Saved]
    #: The pydantic model the argument must satisfy, checked when a scenario is loaded
    #: (None: checked only by the control API, when performed).
    form: type[BaseModel] | None = None

    def check(self, args: Any) -> None:
        """Raise pydantic's ValidationError when ``args`` is not this action's form."""
        if self.form is not None:
            self.form.model_validate(args)


def _script(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.script(**args)
    return {}


def _queue_script(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.queue_script(**args)
    return {}


def _fault(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.fault(**args)
    return {}


def _settings(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.settings(**args)
    return {}


def _usage(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.set_usage(args)
    return {}


def _mint_tokens(tenant: MockTenant, args: Any) -> Saved:
    persona = dict(args)
    save = persona.pop("save", "minted")
    minted = tenant.control.mint_tokens(**persona)
    return {save: {**minted, "auth_json": auth_json_text(minted)}}


def _model_response(tenant: MockTenant, args: Any) -> Saved:
    form = ScriptedResponse.model_validate(args)
    tenant.control.queue_model_response(form.model_dump(mode="json", exclude_defaults=True))
    return {}


def _model_settings(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.model_settings(
        **ModelSettings.model_validate(args).model_dump(exclude_none=True)
    )
    return {}


class _CatalogOrMock(RootModel[CatalogBody | None]):
    """``{models: [...]}`` (the body of ``PUT /model/catalog``), or null: the mock models."""


def _model_catalog(tenant: MockTenant, args: Any) -> Saved:
    body = _CatalogOrMock.model_validate(args).root
    tenant.control.set_model_catalog(body.models if body is not None else None)
    return {}


def _code_and_persona(args: Any) -> tuple[Any, dict[str, Any]]:
    """``CODE`` or ``{user_code: CODE, ...persona}``."""
    if isinstance(args, dict):
        persona = dict(args)
        return persona.pop("user_code"), persona
    return args, {}


def _approve(tenant: MockTenant, args: Any) -> Saved:
    code, persona = _code_and_persona(args)
    tenant.control.approve(code, **persona)
    return {}


def _deny(tenant: MockTenant, args: Any) -> Saved:
    code, persona = _code_and_persona(args)
    tenant.control.deny(code, **persona)
    return {}


def _expire(tenant: MockTenant, args: Any) -> Saved:
    code, persona = _code_and_persona(args)
    tenant.control.expire(code, **persona)
    return {}


def _advance_clock(tenant: MockTenant, args: Any) -> Saved:
    tenant.control.advance_clock(float(args))
    return {}


def _revoke(tenant: MockTenant, args: Any) -> Saved:
    url = f"{tenant.ready.issuer}/oauth/revoke"
    # Loopback only: never through a proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=urlencode({"token": str(args)}).encode())
    with opener.open(request, timeout=10):
        pass
    return {}


#: The control routes, by id: an action whose argument is a route's body takes its
#: wording and its form from the route, so the two cannot drift apart.
_CONTROL = {route.id: route for route in CONTROL_ROUTES}


def _body_of(route_id: str, wording: str = "the body of `{}`") -> dict[str, Any]:
    """``argument`` and ``form`` of an action whose argument is ``route_id``'s body."""
    route = _CONTROL[route_id]
    return {"argument": wording.format(f"{route.method} {route.path}"), "form": route.body}


BACKEND_ACTIONS: dict[str, BackendAction] = {
    action.name: action
    for action in (
        BackendAction(
            "script",
            does="how the next logins end (replaces the plan)",
            perform=_script,
            **_body_of("control_script_put"),
        ),
        BackendAction(
            "queue_script",
            does="queue a script for the next `count` logins",
            perform=_queue_script,
            **_body_of("control_script_post"),
        ),
        BackendAction(
            "fault",
            does="inject a fault into a route",
            perform=_fault,
            **_body_of("control_faults_post"),
        ),
        BackendAction(
            "settings",
            does="change the tenant's settings",
            perform=_settings,
            **_body_of("control_settings_put"),
        ),
        BackendAction(
            "usage",
            does="serve this `wham/usage` body",
            perform=_usage,
            **_body_of("control_usage_put"),
        ),
        BackendAction(
            "mint_tokens",
            "`{save: NAME, ...persona}`",
            "tokens without a login, saved as NAME (default `minted`) with `auth_json`, "
            "an `auth.json` that signs a server in with them (`home: {auth.json: "
            "${NAME.auth_json}}`)",
            _mint_tokens,
        ),
        BackendAction(
            "model_response",
            does="queue a scripted model answer (first in, first out)",
            perform=_model_response,
            **_body_of("control_model_responses_post", "one form of `{}`"),
        ),
        BackendAction(
            "model_settings",
            does="how the model endpoint answers (`websocket`, `auth`)",
            perform=_model_settings,
            **_body_of("control_model_settings_put"),
        ),
        BackendAction(
            "model_catalog",
            does="serve this model catalog (`null`: the mock models again)",
            perform=_model_catalog,
            argument=_body_of("control_model_catalog_put", "the body of `{}`, or `null`")[
                "argument"
            ],
            form=_CatalogOrMock,  # the route's body, or null
        ),
        BackendAction(
            "approve", "`{user_code, ...persona}` or `CODE`", "approve a device code", _approve
        ),
        BackendAction("deny", "`CODE`", "deny a device code", _deny),
        BackendAction("expire", "`CODE`", "expire a device code", _expire),
        BackendAction(
            "advance_clock", "`SECONDS`", "move the backend clock forward", _advance_clock
        ),
        BackendAction(
            "revoke", "`TOKEN`", "revoke a token at `/oauth/revoke`, as a client would", _revoke
        ),
    )
}


def docs_table() -> str:
    """The backend-action table of docs/conformance.md (a test keeps the two in step)."""
    rows = [f"| `{a.name}` | {a.argument} | {a.does} |" for a in BACKEND_ACTIONS.values()]
    return "\n".join(["| backend action | argument | does |", "| --- | --- | --- |", *rows])


if __name__ == "__main__":
    print(docs_table())
