"""Parse request params with the protocol models, failing with upstream's texts.

Upstream's serde errors read ``Invalid request: missing field `type```; pydantic's
errors are translated into the same words so clients see the same failures.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from .errors import InvalidRequest

T = TypeVar("T")

LOGIN_VARIANTS = (
    "`apiKey`, `chatgpt`, `chatgptDeviceCode`, `chatgptAuthTokens`, "
    "`amazonBedrock`, `amazonBedrockAccessKeys`"
)
_ADAPTERS: dict[int, TypeAdapter[Any]] = {}


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


def _variants(quoted: str) -> str:
    """``'a', 'b' or 'c'`` (pydantic) as ```a`, `b`, `c``` (serde)."""
    return ", ".join(f"`{name}`" for name in re.findall(r"'([^']*)'", quoted))


def _message(error: Any) -> str:
    kind = error["type"]
    loc = [str(p) for p in error["loc"]]
    ctx = error.get("ctx") or {}
    if kind == "serde":  # a validator that words its refusal as upstream does
        return str(error["msg"])
    if kind == "missing":
        return f"missing field `{loc[-1]}`"
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", ""))
        variants = LOGIN_VARIANTS if "'apiKey'" in tags else _variants(tags)
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
    adapter = _ADAPTERS.get(id(tp))
    if adapter is None:
        adapter = _ADAPTERS[id(tp)] = TypeAdapter(tp)
    try:
        # JSON mode, strict: "yes" is not a boolean, as serde sees it.
        value: T = adapter.validate_json(json.dumps(params), strict=True)
    except ValidationError as exc:
        raise InvalidRequest(f"Invalid request: {_message(exc.errors()[0])}") from exc
    return value
