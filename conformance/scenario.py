"""Scenario files: what a scenario does and expects, as data a client team can read.

One YAML file per scenario. Each step is a mapping with one action key (``request``,
``notification``, ...) and that kind's own qualifiers; the kinds are declared in
``conformance/steps/`` (docs/conformance.md shows their table). Files are checked when
loaded: an unknown key, a qualifier of another kind, a misspelt matcher or a method no
schema bundle declares is a clear error naming the file and the step (numbered from 1,
as a run names them), never a scenario that silently checks less or blames the server.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from mock_backend.validation_text import dotted, location, validation_text

from .capabilities import CAPABILITIES, CONFIG_TOML
from .method_names import KnownMethods, known_methods
from .steps import KINDS, Step
from .steps.backend import BackendAction
from .steps.lifecycle import StartServer

CATALOG = Path(__file__).resolve().parent / "catalog"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


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
    tags: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = Field(
        default_factory=list,
        description="Words to select it by; pytest markers as written (-m device-code).",
    )
    requires: Requires = Field(default_factory=Requires)
    home: dict[str, str] = Field(
        default_factory=dict, description="Files written into CODEX_HOME before the start."
    )
    backend: list[BackendAction] = Field(
        default_factory=list, description="Mock backend actions before the first step."
    )
    steps: list[Step] = Field(min_length=1)

    path: Path | None = Field(default=None, exclude=True)

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """What the server must offer: declared, what each step needs, what ``home`` needs."""
        found = set(self.requires.capabilities)
        for step in self.steps:
            found |= step.capabilities()
        if "config.toml" in self.home:
            found.add(CONFIG_TOML)
        return frozenset(found)

    @cached_property
    def starts_itself(self) -> bool:
        return isinstance(self.steps[0], StartServer)

    @cached_property
    def uses_backend(self) -> bool:
        """Whether it scripts or reads the mock backend (before or during its steps)."""
        return bool(self.backend) or any(step.uses_backend for step in self.steps)


class ScenarioFileError(ValueError):
    """A scenario file cannot be used; the message names it and says what is wrong."""


def _render(error: ErrorDetails) -> str:
    """``step 3 (notification): within: not a qualifier of notification (it takes ...)``;
    steps and backend actions numbered from 1, as a run names them."""
    loc = error["loc"]
    if len(loc) >= 2 and loc[0] == "backend" and isinstance(loc[1], int):
        inside = location(loc[2:])
        return f"backend setup {loc[1] + 1}: {inside + ': ' if inside else ''}{error['msg']}"
    if len(loc) < 2 or loc[0] != "steps" or not isinstance(loc[1], int):
        return dotted(error)
    where = f"step {loc[1] + 1}"
    if len(loc) < 3 or loc[2] not in KINDS:
        return f"{where}: {error['msg']}"
    kind, rest = KINDS[str(loc[2])], location(loc[3:])
    where += f" ({kind.action})"
    if error["type"] == "extra_forbidden" and len(loc) == 4:
        takes = ", ".join(kind.qualifiers())
        return f"{where}: {rest}: not a qualifier of {kind.action} (it takes {takes})"
    return f"{where}: {rest + ': ' if rest else ''}{error['msg']}"


def shown(path: Path) -> str:
    """A scenario file as messages show it: as the user would write it (relative to the
    current folder when under it), a packaged one as ``catalog/NAME.yaml``."""
    absolute = path.absolute()
    if absolute.parent == CATALOG:
        return f"catalog/{path.name}"
    relative = os.path.relpath(absolute)
    return str(absolute) if relative.startswith("..") else relative


def load(path: Path, methods: KnownMethods | None = None) -> Scenario:
    """The scenario of one file; ScenarioFileError naming it (and the step) when it is not
    a scenario. ``methods``: the names its steps may use (default: the vendored ones)."""
    where = shown(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioFileError(f"{where}: cannot read the scenario: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioFileError(f"{where}: a scenario file holds a mapping (id, title, steps)")
    data.setdefault("id", path.stem)
    if data["id"] != path.stem:
        raise ScenarioFileError(f"{where}: id {data['id']!r} must be the file name {path.stem!r}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioFileError(f"{where}: {validation_text(exc, _render)}") from None
    unknown = _unknown_methods(scenario, methods or known_methods())
    if unknown:
        raise ScenarioFileError(f"{where}: " + "; ".join(unknown))
    scenario.path = path
    return scenario


def _unknown_methods(scenario: Scenario, methods: KnownMethods) -> list[str]:
    """Steps naming a method no bundle has, unless the step says it is off-schema."""
    found = []
    for index, step in enumerate(scenario.steps):
        role = step.method_role
        if role is None or getattr(step, "off_schema", False):
            continue
        why = methods.unknown(role, str(step.value))
        if why:
            hint = (
                "; a step sending it on purpose says `off_schema: true`"
                if ("off_schema" in type(step).model_fields)
                else ""
            )
            found.append(f"step {index + 1} ({step.action}): {why}{hint}")
    return found


def catalog_files(folder: Path = CATALOG) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def load_catalog(folder: Path = CATALOG) -> list[Scenario]:
    return [load(path) for path in catalog_files(folder)]
