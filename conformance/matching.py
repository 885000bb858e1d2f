"""Expected values in scenario files, and how a received value is held against them.

Plain values match by equality; an object matches when every key it lists matches
(a key the server leaves out is a mismatch, even when ``null`` is expected: upstream
always writes its nullable fields). Strings starting with ``$`` are matchers:

===================  =========================================================
``$any``             anything, the key must be present
``$absent``          the key must not be present
``$string``          any string (``$nonempty`` any non-empty string)
``$int``             any integer; ``$number`` any number; ``$bool`` a boolean
``$uuid``            a UUID in its canonical text form
``$regex:PATTERN``   a string that matches PATTERN (search, not full match)
``$prefix:TEXT``     a string that starts with TEXT
``$contains:TEXT``   a string that contains TEXT
``$at_least:N``      a number not below N (``$at_most:N`` not above N)
===================  =========================================================

Objects with one ``$`` key combine expectations:

=========================  ====================================================
``{"$exact": {...}}``      an object with exactly those keys
``{"$some": EXPECTED}``    a list with at least one element that matches EXPECTED
``{"$none": EXPECTED}``    a list with no element that matches EXPECTED
``{"$any_of": [A, B]}``    a value that matches A or B (servers that may differ)
=========================  ====================================================

``${name.path}``
inside a string is replaced by a value saved earlier in the scenario (a whole-string
``${...}`` keeps the saved value's type).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

_TEMPLATE = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")
ABSENT = "$absent"


class TemplateError(KeyError):
    """A ``${...}`` names nothing saved."""


def substitute(value: Any, saved: dict[str, Any]) -> Any:
    """``value`` with every ``${name.path}`` replaced from ``saved``."""
    if isinstance(value, dict):
        return {key: substitute(item, saved) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, saved) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _TEMPLATE.fullmatch(value)
    if whole:
        return lookup(saved, whole.group(1))
    return _TEMPLATE.sub(lambda m: str(lookup(saved, m.group(1))), value)


def lookup(saved: dict[str, Any], dotted: str) -> Any:
    current: Any = saved
    for part in dotted.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            known = ", ".join(sorted(saved)) or "nothing"
            raise TemplateError(f"${{{dotted}}} names nothing saved (saved so far: {known})")
    return current


def mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Every place ``actual`` differs from ``expected``, as ``path: why`` lines."""
    if isinstance(expected, str) and expected.startswith("$") and not expected.startswith("${"):
        return _match_string_matcher(expected, actual, path)
    if isinstance(expected, dict):
        combinator = _COMBINATORS.get(next(iter(expected))) if len(expected) == 1 else None
        if combinator is not None:
            return combinator(next(iter(expected.values())), actual, path)
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {_show(actual)}"]
        problems: list[str] = []
        for key, wanted in expected.items():
            where = f"{path}.{key}"
            if wanted == ABSENT:
                if key in actual:
                    problems.append(f"{where}: must be absent, got {_show(actual[key])}")
                continue
            if key not in actual:
                problems.append(f"{where}: missing (expected {_show(wanted)}){_near(key, actual)}")
                continue
            problems.extend(mismatches(wanted, actual[key], where))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {_show(actual)}"]
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}: {_show(actual)}"]
        found: list[str] = []
        for index, (wanted, got) in enumerate(zip(expected, actual, strict=True)):
            found.extend(mismatches(wanted, got, f"{path}[{index}]"))
        return found
    if type(expected) is not type(actual) and not (
        isinstance(expected, int | float)
        and isinstance(actual, int | float)
        and not isinstance(actual, bool)
        and not isinstance(expected, bool)
    ):
        return [f"{path}: expected {_show(expected)}, got {_show(actual)}"]
    if expected != actual:
        return [f"{path}: expected {_show(expected)}, got {_show(actual)}"]
    return []


def _match_exact(expected: Any, actual: Any, path: str) -> list[str]:
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        return mismatches(expected, actual, path)
    problems = mismatches(expected, actual, path)
    extra = sorted(set(actual) - set(expected))
    if extra:
        problems.append(f"{path}: unexpected keys {extra}")
    return problems


def _match_some(expected: Any, actual: Any, path: str) -> list[str]:
    if not isinstance(actual, list):
        return [f"{path}: expected a list, got {_show(actual)}"]
    if any(not mismatches(expected, item) for item in actual):
        return []
    return [f"{path}: no element matches {_show(expected)} among {len(actual)}: {_show(actual)}"]


def _match_none(expected: Any, actual: Any, path: str) -> list[str]:
    if not isinstance(actual, list):
        return [f"{path}: expected a list, got {_show(actual)}"]
    found = [index for index, item in enumerate(actual) if not mismatches(expected, item)]
    if not found:
        return []
    return [f"{path}[{found[0]}]: matches {_show(expected)}, and no element may"]


def _match_any_of(expected: Any, actual: Any, path: str) -> list[str]:
    if not isinstance(expected, list) or not expected:
        return [f"{path}: $any_of takes a non-empty list in the scenario"]
    tried = [mismatches(option, actual, path) for option in expected]
    if any(not problems for problems in tried):
        return []
    reasons = " | ".join("; ".join(problems) for problems in tried)
    return [f"{path}: matches none of {len(expected)} alternatives ({reasons})"]


#: ``{"$name": ARGUMENT}`` -> the mismatches of ``actual`` (an object with that one key).
_COMBINATORS: dict[str, Callable[[Any, Any, str], list[str]]] = {
    "$exact": _match_exact,
    "$some": _match_some,
    "$none": _match_none,
    "$any_of": _match_any_of,
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: ``$name`` / ``$name:argument`` -> does ``actual`` match. ``$absent`` is handled by the
#: object matcher (it is about a key); reached here, for a list item or a whole value,
#: nothing matches it.
_MATCHERS: dict[str, Callable[[Any, str], bool]] = {
    "any": lambda actual, _: True,
    "absent": lambda actual, _: False,
    "string": lambda actual, _: isinstance(actual, str),
    "nonempty": lambda actual, _: isinstance(actual, str) and actual != "",
    "int": lambda actual, _: _is_int(actual),
    "number": lambda actual, _: _is_number(actual),
    "bool": lambda actual, _: isinstance(actual, bool),
    "uuid": lambda actual, _: isinstance(actual, str) and _is_uuid(actual),
    "regex": lambda actual, arg: isinstance(actual, str) and re.search(arg, actual) is not None,
    "prefix": lambda actual, arg: isinstance(actual, str) and actual.startswith(arg),
    "contains": lambda actual, arg: isinstance(actual, str) and arg in actual,
    "at_least": lambda actual, arg: _is_number(actual) and actual >= float(arg),
    "at_most": lambda actual, arg: _is_number(actual) and actual <= float(arg),
}


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def _match_string_matcher(matcher: str, actual: Any, path: str) -> list[str]:
    name, _, argument = matcher[1:].partition(":")
    test = _MATCHERS.get(name)
    if test is None:
        return [f"{path}: unknown matcher {matcher!r} in the scenario"]
    return [] if test(actual, argument) else [f"{path}: expected {matcher}, got {_show(actual)}"]


def known_matcher(text: str) -> bool:
    """A ``$name`` string matcher the kit knows."""
    name = text[1:].partition(":")[0]
    return name in _MATCHERS


def known_combinator(key: str) -> bool:
    """A ``{"$name": ...}`` key the kit knows (``$exact``, ``$some`` ...)."""
    return key in _COMBINATORS


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def _near(key: str, actual: dict[str, Any]) -> str:
    """A hint when the server used another spelling of the key (snake_case, case)."""
    folded = key.replace("_", "").lower()
    for other in actual:
        if other != key and other.replace("_", "").lower() == folded:
            return f"; the server sent {other!r} instead"
    return ""


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, sort_keys=False)
    return text if len(text) <= 160 else text[:159] + "…"
