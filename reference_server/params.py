"""Parse request params with the protocol models, failing with upstream's texts.

Upstream's serde errors read ``Invalid request: missing field `type```; pydantic's
errors are translated into the same words so clients see the same failures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

from .errors import InvalidRequest

T = TypeVar("T")


@dataclass(frozen=True)
class AlsoExpected:
    """``Annotated`` metadata of a discriminated union: the variants upstream declares
    that this server does not implement. It refuses them as unknown, but its refusal
    lists them after its own, as upstream's list of expected variants does."""

    variants: tuple[str, ...]


@dataclass(frozen=True)
class _Parser:
    adapter: TypeAdapter[Any]
    also_expected: tuple[str, ...]


_PARSERS: dict[int, _Parser] = {}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, int | float):
        return f"integer `{value}`" if isinstance(value, int) else f"floating point `{value}`"
    if value is None:
        return "null"
    return "map" if isinstance(value, dict) else "sequence"


def _variants(names: str | tuple[str, ...]) -> str:
    """``'a', 'b' or 'c'`` (pydantic) or a tuple of names as ```a`, `b`, `c``` (serde)."""
    found = re.findall(r"'([^']*)'", names) if isinstance(names, str) else names
    return ", ".join(f"`{name}`" for name in found)


def _message(error: Any, also_expected: tuple[str, ...]) -> str:
    kind = error["type"]
    loc = [str(p) for p in error["loc"]]
    ctx = error.get("ctx") or {}
    if kind == "serde":  # a validator that words its refusal as upstream does
        return str(error["msg"])
    if kind == "missing":
        return f"missing field `{loc[-1]}`"
    if kind == "union_tag_invalid":
        variants = ", ".join(
            filter(None, [_variants(str(ctx.get("expected_tags", ""))), _variants(also_expected)])
        )
        return f"unknown variant `{error['input'].get('type')}`, expected one of {variants}"
    if kind == "enum":
        return (
            f"unknown variant `{error['input']}`, expected one of "
            f"{_variants(str(ctx.get('expected', '')))}"
        )
    if kind == "union_tag_not_found":
        return "missing field `type`"
    expected: str | None = {
        "bool_type": "a boolean",
        "bool_parsing": "a boolean",
        "string_type": "a string",
        "int_type": "i64",
        "dict_type": "a map",
        "model_type": "a map",
    }.get(kind)
    if expected:
        return f"invalid type: {_describe(error['input'])}, expected {expected}"
    return f"{'.'.join(loc)}: {error['msg']}"


def parse(tp: type[T] | Any, params: Any, present: bool) -> T:
    """Validate ``params`` as ``tp``; a missing ``params`` member is its own error."""
    if not present:
        raise InvalidRequest("Invalid request: missing field `params`")
    parser = _PARSERS.get(id(tp))
    if parser is None:
        parser = _PARSERS[id(tp)] = _Parser(TypeAdapter(tp), _also_expected(tp))
    try:
        # JSON mode, strict: "yes" is not a boolean, as serde sees it.
        value: T = parser.adapter.validate_json(json.dumps(params), strict=True)
    except ValidationError as exc:
        error = exc.errors()[0]
        # The marker speaks for the top-level union only, not for one nested in it.
        message = _message(error, () if error["loc"] else parser.also_expected)
        raise InvalidRequest(f"Invalid request: {message}") from exc
    return value


def _also_expected(tp: Any) -> tuple[str, ...]:
    """What an :class:`AlsoExpected` on ``tp`` (an ``Annotated`` union) names, if any."""
    if get_origin(tp) is not Annotated:
        return ()
    found = [m.variants for m in get_args(tp)[1:] if isinstance(m, AlsoExpected)]
    return found[0] if found else ()
