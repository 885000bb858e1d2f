"""What a step kind is, and the registry every kind enters by being defined.

A kind is one pydantic model: its action key (``action``, also the name of the field
holding the action's value, as in ``request: account/read``), its qualifiers (the other
fields: typed, described, and only those: a qualifier another kind takes is an error
here), what it does (:meth:`StepKind.execute`) and what a server must offer for it
(:meth:`StepKind.capabilities`). The loader, the docs table and a scenario's needs all
read :data:`KINDS`; nothing else lists the kinds.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from ..matching import known_combinator, known_matcher

if TYPE_CHECKING:
    from ..method_names import Role
    from ..run_context import RunContext

#: action key -> step kind, in the order the kinds were defined.
KINDS: dict[str, type[StepKind]] = {}


class StepKind(BaseModel):
    """A step: one action, its qualifiers, and how it runs."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    #: The action key: the field that names what the step does.
    action: ClassVar[str]
    #: How the action's value is written, for the docs (``METHOD``, ``true`` ...).
    written: ClassVar[str]
    #: Whether it scripts or reads the mock backend (a server the kit did not start
    #: is not attached to it, so such scenarios are skipped there).
    uses_backend: ClassVar[bool] = False
    #: Who sends the method the action names (a request: ``client-request`` ...), for the
    #: loader to check the name against the schema bundles; None: the action is no method.
    method_role: ClassVar[Role | None] = None

    note: str | None = Field(default=None, description="A comment for readers; not used.")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        action = cls.__dict__.get("action")
        if action is None:
            return  # a shared base of several kinds, not a kind
        if action not in cls.model_fields:
            raise TypeError(f"{cls.__name__}: the action {action!r} needs a field of that name")
        if action in KINDS:
            raise TypeError(f"{cls.__name__}: {action!r} is already {KINDS[action].__name__}")
        KINDS[action] = cls

    @classmethod
    def qualifiers(cls) -> dict[str, FieldInfo]:
        """The fields beside the action key, its own first, then those every kind takes."""
        common = StepKind.model_fields
        own = [name for name in cls.model_fields if name != cls.action and name not in common]
        return {name: cls.model_fields[name] for name in [*own, *common]}

    @classmethod
    def does(cls) -> str:
        """The first paragraph of the kind's docstring, in one line (the docs table's)."""
        text = inspect.getdoc(cls) or ""
        return " ".join(text.split("\n\n")[0].split())

    @property
    def value(self) -> Any:
        """The action's value: the method, the file, the URL ..."""
        return getattr(self, self.action)

    def label(self, index: int) -> str:
        """How failures name the step: ``step 3 request account/read``."""
        value = self.value
        shown = value if isinstance(value, str) and len(value) < 60 else ""
        return f"step {index + 1} {self.action} {shown}".rstrip()

    def capabilities(self) -> frozenset[str]:
        """What the server must offer for this step (``--app-server-lacks`` names)."""
        return frozenset()

    def execute(self, run: RunContext) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not say how it runs")


def _known_matchers(value: Any) -> Any:
    """Every ``$matcher`` in an expectation is one the kit knows (no silent typos)."""
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and key.startswith("$") and not known_combinator(key):
                raise ValueError(f"unknown matcher {key!r}")
            if known_combinator(key) and len(value) != 1:
                raise ValueError(f"{key} stands alone in its object; got {sorted(value)}")
        for item in value.values():
            _known_matchers(item)
    elif isinstance(value, list):
        for item in value:
            _known_matchers(item)
    elif (
        isinstance(value, str)
        and value.startswith("$")
        and not value.startswith("${")
        and not known_matcher(value)
    ):
        raise ValueError(f"unknown matcher {value!r}")
    return value


# Qualifiers more than one kind takes, each defined once.
Expect = Annotated[Any, AfterValidator(_known_matchers)]
Save = Annotated[
    str | None,
    Field(description="Save the value under this name, for `${NAME.path}` in later steps."),
]
Timeout = Annotated[
    float | None,
    Field(gt=0, le=120, description="Seconds to await it (default: `--conformance-timeout`)."),
]
Params = Annotated[
    Any, Field(description="The `params` member, as written (left out when not given).")
]
