"""What a protocol rule is, and the registry every rule enters by being defined.

A rule watches one conversation: it sees every message both ways, in order, and
reports what breaks it, in words a client team can act on. It is named by a stable
id (``login-order``) that every finding carries, so a report or a baseline can point
at it. Rules know nothing of the schema (``message_check``) or of JSON-RPC bookkeeping
(``judge``): only what a sequence of messages means.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from ..results import Kind

Message = dict[str, Any]
Report = Callable[[str], None]

#: rule id -> rule, in the order the rules were defined.
RULES: dict[str, type[Rule]] = {}


class Rule:
    """A rule of the protocol, held in every conversation (one instance per server)."""

    #: The stable id shown with every finding (``login-order``).
    name: ClassVar[str]
    #: What kind of failure a finding is.
    kind: ClassVar[Kind] = "ordering"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return  # a shared base of several rules, not a rule
        if name in RULES:
            raise TypeError(f"{cls.__name__}: rule {name!r} is already {RULES[name].__name__}")
        RULES[name] = cls

    def __init__(self, report: Report) -> None:
        """``report``: called with the text of each finding (the judge adds the rule id)."""
        self.report = report

    @classmethod
    def describe(cls) -> str:
        """The first paragraph of the rule's docstring, in one line (the docs table's)."""
        text = inspect.getdoc(cls) or ""
        return " ".join(text.split("\n\n")[0].split())

    def sent(self, message: Message, method: str | None) -> None:
        """A message the kit sent: a request, a notification, or an answer to a server
        request (``method`` is then the method of the request it answers)."""

    def received(self, message: Message, method: str | None) -> None:
        """A message from the server: ``method`` is its own, or for an answer the method
        of the kit's request it answers (None when it answers no request of the kit)."""
