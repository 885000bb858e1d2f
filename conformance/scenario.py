"""Scenario files: what a scenario does and expects, as data a client team can read.

One YAML file per scenario. Each step is a mapping with one action key (``request``,
``notification``, ...); docs/conformance.md lists them all with examples. Files are
checked when loaded: an unknown key or a misspelt matcher is a clear error naming the
file and the step, never a scenario that silently checks less.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mock_backend.backend_actions import BACKEND_ACTIONS

from .matching import known_matcher

CATALOG = Path(__file__).resolve().parent / "catalog"

_ACTIONS = (
    "start",
    "stop",
    "request",
    "response",
    "notify",
    "send",
    "notification",
    "server_request",
    "no_message",
    "backend",
    "file",
    "http",
    "journal",
    "sleep",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Start(_Strict):
    """Start a server process (or restart: the running one is stopped first)."""

    experimental_api: bool = False
    initialize: bool = True
    client_name: str = "conformance-kit"


class Answer(_Strict):
    result: Any = None
    error: dict[str, Any] | None = None


class Step(_Strict):
    """One action. Exactly one of the action keys is set; the others qualify it."""

    # Actions
    start: Start | None = None
    stop: bool | None = None
    request: str | None = Field(default=None, description="Send a request for this method.")
    response: str | None = Field(
        default=None, description="Await the answer to a request sent with `wait: false`."
    )
    notify: str | None = Field(default=None, description="Send a client notification.")
    send: str | dict[str, Any] | None = Field(
        default=None, description="A line (or message) the kit sends deliberately as it is."
    )
    notification: str | None = Field(default=None, description="Await this notification.")
    server_request: str | None = Field(default=None, description="Await this server request.")
    no_message: str | None = Field(
        default=None, description="This method must not arrive (notification or request)."
    )
    backend: dict[str, Any] | None = Field(default=None, description="One mock backend action.")
    file: str | None = Field(default=None, description="A file under CODEX_HOME to check.")
    http: str | None = Field(default=None, description="GET this URL (templated).")
    journal: str | None = Field(default=None, description="Await backend requests on this route.")
    sleep: float | None = Field(default=None, ge=0, le=30)

    # Qualifiers
    params: Any = None
    id: Any = None
    expect: Any = None
    save: str | None = None
    wait: bool = Field(default=True, description="For request: await the answer here.")
    answer: Answer | Literal["none"] | None = None
    timeout: float | None = Field(default=None, gt=0, le=120)
    within: float = Field(default=0.5, ge=0, le=30)
    exists: bool | None = None
    mode: str | None = Field(default=None, pattern=r"^0[0-7]{3}$")
    status: int | None = None
    off_schema: bool = Field(
        default=False, description="The request breaks the schema on purpose (not a kit fault)."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        set_actions = [name for name in _ACTIONS if getattr(self, name) is not None]
        if len(set_actions) != 1:
            raise ValueError(
                f"a step needs exactly one action of {', '.join(_ACTIONS)}; got {set_actions}"
            )
        if self.expect is not None:
            _check_matchers(self.expect)
        if self.backend is not None:
            _check_backend_action(self.backend)
        if not self.wait and (self.request is None or not self.save):
            raise ValueError("`wait: false` is for a request step with `save: NAME`")
        return self

    @property
    def has_params(self) -> bool:
        """Whether the file gives ``params`` at all (``params: null`` is sent as null)."""
        return "params" in self.model_fields_set

    @property
    def action(self) -> str:
        return next(name for name in _ACTIONS if getattr(self, name) is not None)

    def label(self, index: int) -> str:
        target = getattr(self, self.action)
        shown = target if isinstance(target, str) and len(target) < 60 else ""
        return f"step {index + 1} {self.action} {shown}".rstrip()


#: What a scenario can need beyond the handshake; derived from its steps (see
#: ``Scenario.capabilities``) and named on the command line by ``--app-server-lacks``.
CAPABILITIES = (
    "api-key-login",
    "device-code-login",
    "browser-login",
    "chatgpt-auth-tokens",
    "rate-limits",
    "server-requests",
    "config-toml",
)
_LOGIN_CAPABILITY = {
    "apiKey": "api-key-login",
    "chatgptDeviceCode": "device-code-login",
    "chatgpt": "browser-login",
    "chatgptAuthTokens": "chatgpt-auth-tokens",
}


class Requires(_Strict):
    """What a server must offer for the scenario to apply; otherwise it is skipped."""

    min_version: str | None = Field(
        default=None, pattern=r"^\d+\.\d+\.\d+$", description="Lowest codex version it applies to."
    )
    process: bool = Field(
        default=False,
        description="Needs a server the kit starts (files in CODEX_HOME, restarts).",
    )
    capabilities: list[Literal[CAPABILITIES]] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Capabilities beyond those its steps show (those are derived).",
    )
    exclusive: list[str] = Field(
        default_factory=list, description="Machine-wide resources held while it runs (ports)."
    )


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    requires: Requires = Field(default_factory=Requires)
    home: dict[str, str] = Field(
        default_factory=dict, description="Files written into CODEX_HOME before the start."
    )
    backend: list[dict[str, Any]] = Field(
        default_factory=list, description="Mock backend actions before the first step."
    )
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_backend_actions(self) -> Scenario:
        for action in self.backend:
            _check_backend_action(action)
        return self

    path: Path | None = Field(default=None, exclude=True)

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """What the server must offer: declared, plus what the steps use."""
        found = set(self.requires.capabilities)
        for step in self.steps:
            if step.request == "account/login/start" and isinstance(step.params, dict):
                kind = _LOGIN_CAPABILITY.get(str(step.params.get("type")))
                if kind and not step.off_schema:
                    found.add(kind)
            if step.request == "account/rateLimits/read":
                found.add("rate-limits")
            if step.server_request:
                found.add("server-requests")
        if "config.toml" in self.home:
            found.add("config-toml")
        return frozenset(found)

    @cached_property
    def starts_itself(self) -> bool:
        return self.steps[0].start is not None


class ScenarioFileError(ValueError):
    """A scenario file cannot be used; the message names the file and what is wrong."""


def _check_backend_action(action: dict[str, Any]) -> None:
    """One action per entry, named in the mock backend's registry (``backend:`` and steps)."""
    if len(action) != 1 or next(iter(action)) not in BACKEND_ACTIONS:
        raise ValueError(
            f"a backend action is one of {', '.join(BACKEND_ACTIONS)}; got {sorted(action)}"
        )


def _check_matchers(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _check_matchers(item)
    elif isinstance(value, list):
        for item in value:
            _check_matchers(item)
    elif (
        isinstance(value, str)
        and value.startswith("$")
        and not value.startswith("${")
        and not known_matcher(value)
    ):
        raise ValueError(f"unknown matcher {value!r}")


def load(path: Path) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioFileError(f"{path}: cannot read the scenario: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioFileError(f"{path}: a scenario file holds a mapping (id, title, steps)")
    data.setdefault("id", path.stem)
    if data["id"] != path.stem:
        raise ScenarioFileError(f"{path}: id {data['id']!r} must be the file name {path.stem!r}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ScenarioFileError(f"{path}: {details}") from None
    scenario.path = path
    return scenario


def catalog_files(folder: Path = CATALOG) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def load_catalog(folder: Path = CATALOG) -> list[Scenario]:
    return [load(path) for path in catalog_files(folder)]


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])
