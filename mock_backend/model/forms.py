"""Scripted model responses: the one definition of what a test may queue.

``POST {control}/model/responses``, scenario files (``model_responses:``) and the
pytest fixture all validate through :class:`ScriptedResponse`, and the OpenAPI
document is generated from it. Everything is checked when it is queued, so a
malformed script is a 400 naming the field, never a failure in the middle of a
turn.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: ``response.failed`` codes whose effect on codex 0.163.0 is known (see docs/mock-backend.md).
FailureCode = Literal[
    "context_length_exceeded",
    "insufficient_quota",
    "rate_limit_exceeded",
    "server_error",
    "usage_not_included",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCall(_Strict):
    """A call the model asks the client to run: a function call, or a custom tool call.

    ``arguments`` (an object) makes a ``function_call`` such as ``exec_command``;
    ``input`` (raw text) makes a ``custom_tool_call``, the form codex expects for
    ``apply_patch``.
    """

    name: str = Field(min_length=1, max_length=200, description="exec_command, apply_patch ...")
    arguments: dict[str, Any] | None = Field(
        default=None,
        description='Function-call arguments, e.g. {"cmd": "echo hi", "yield_time_ms": 500}.',
    )
    input: str | None = Field(
        default=None,
        max_length=200_000,
        description="Custom tool input, e.g. an apply_patch patch ('*** Begin Patch ...').",
    )
    call_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Generated when omitted."
    )

    @model_validator(mode="after")
    def _one_payload(self) -> ToolCall:
        if (self.arguments is None) == (self.input is None):
            raise ValueError("give exactly one of arguments (function call) or input (custom)")
        if self.arguments is not None and len(json.dumps(self.arguments)) > 200_000:
            raise ValueError("arguments are larger than 200000 characters")
        return self


class OutputItem(_Strict):
    """One item of the answer: exactly one of ``text``, ``reasoning``, ``tool_call``."""

    text: str | None = Field(default=None, max_length=200_000, description="Assistant message.")
    reasoning: str | None = Field(
        default=None, max_length=200_000, description="A reasoning summary."
    )
    tool_call: ToolCall | None = None
    stream: bool = Field(
        default=False,
        description="Stream text or reasoning as deltas (output_item.added, *.delta ..., "
        "output_item.done) instead of one output_item.done.",
    )
    deltas: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Number of deltas when streaming (default: one per word).",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> OutputItem:
        given = [n for n in ("text", "reasoning", "tool_call") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, reasoning, tool_call")
        return self


class TokenDetailsIn(_Strict):
    cached_tokens: int = Field(default=0, ge=0)


class TokenDetailsOut(_Strict):
    reasoning_tokens: int = Field(default=0, ge=0)


class Usage(_Strict):
    """``response.completed.response.usage`` as the Responses API sends it."""

    input_tokens: int = Field(default=0, ge=0, le=10**12)
    output_tokens: int = Field(default=0, ge=0, le=10**12)
    total_tokens: int | None = Field(
        default=None, ge=0, le=10**13, description="input + output when omitted."
    )
    input_tokens_details: TokenDetailsIn | None = None
    output_tokens_details: TokenDetailsOut | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": (self.input_tokens_details or TokenDetailsIn()).model_dump(),
            "output_tokens": self.output_tokens,
            "output_tokens_details": (self.output_tokens_details or TokenDetailsOut()).model_dump(),
            "total_tokens": self.total_tokens
            if self.total_tokens is not None
            else self.input_tokens + self.output_tokens,
        }


class RateLimitWindow(_Strict):
    used_percent: float = Field(ge=0, le=1000)
    window_minutes: int | None = Field(default=None, ge=0, le=10**7)
    reset_at: int | None = Field(default=None, ge=0, le=10**11, description="Unix seconds.")


class RateLimits(_Strict):
    """Sent as ``x-codex-*`` headers over HTTP, as a ``codex.rate_limits`` event over ws."""

    primary: RateLimitWindow | None = None
    secondary: RateLimitWindow | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in ("primary", "secondary"):
            window: RateLimitWindow | None = getattr(self, name)
            if window is None:
                continue
            out[f"x-codex-{name}-used-percent"] = f"{window.used_percent:g}"
            if window.window_minutes is not None:
                out[f"x-codex-{name}-window-minutes"] = str(window.window_minutes)
            if window.reset_at is not None:
                out[f"x-codex-{name}-reset-at"] = str(window.reset_at)
        return out

    def event(self) -> dict[str, Any]:
        return {
            "type": "codex.rate_limits",
            "rate_limits": self.model_dump(include={"primary", "secondary"}),
        }


class Failure(_Strict):
    """A stream that ends in ``response.failed`` with this error."""

    code: FailureCode
    message: str = Field(default="scripted failure", max_length=10_000)


class When(_Strict):
    input_contains: str = Field(
        min_length=1,
        max_length=10_000,
        description="Match a request whose last user message contains this text.",
    )


class ScriptedResponse(_Strict):
    """One scripted answer of the model, taken first in first out.

    An answer is content (``text``, ``reasoning``, ``tool_call`` in that order, or
    ``items`` in any order), or an HTTP failure (``status``), or a failed stream
    (``failed``).
    """

    text: str | None = Field(default=None, max_length=200_000, description="Assistant message.")
    stream: bool = Field(default=False, description="Stream text and reasoning as deltas.")
    deltas: int | None = Field(default=None, ge=1, le=10_000)
    reasoning: str | None = Field(default=None, max_length=200_000)
    tool_call: ToolCall | None = None
    items: list[OutputItem] | None = Field(default=None, min_length=1, max_length=100)
    usage: Usage | None = None
    rate_limits: RateLimits | None = None
    status: int | None = Field(
        default=None, ge=400, le=599, description="Answer with this HTTP status instead."
    )
    body: dict[str, Any] | None = Field(
        default=None, description="JSON body of the status answer (default: a generic error)."
    )
    failed: Failure | None = None
    when: When | None = None
    repeat: int = Field(default=1, ge=1, le=10_000, description="Serve this for N requests.")
    delay_ms: int = Field(default=0, ge=0, le=120_000, description="Wait before answering.")
    chunk_delay_ms: int = Field(default=0, ge=0, le=10_000, description="Wait between events.")
    cut_after: int | None = Field(
        default=None, ge=0, le=100_000, description="Drop the connection after N events."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ScriptedResponse:
        shorthand = [n for n in ("text", "reasoning", "tool_call") if getattr(self, n) is not None]
        kinds = [
            kind
            for kind, present in (
                ("content", bool(shorthand) or self.items is not None),
                ("status", self.status is not None),
                ("failed", self.failed is not None),
            )
            if present
        ]
        if len(kinds) != 1:
            raise ValueError(
                "give one of: text / reasoning / tool_call / items (an answer), "
                "status (an HTTP failure), failed (a failed stream)"
            )
        if shorthand and self.items is not None:
            raise ValueError("items cannot be combined with text, reasoning or tool_call")
        if self.body is not None and self.status is None:
            raise ValueError("body belongs to a status answer")
        if self.body is not None and len(json.dumps(self.body)) > 200_000:
            raise ValueError("body is larger than 200000 characters")
        return self

    def output_items(self) -> list[OutputItem]:
        """The content as an ordered list of items (shorthand fields expanded)."""
        if self.items is not None:
            return self.items
        out: list[OutputItem] = []
        if self.reasoning is not None:
            out.append(OutputItem(reasoning=self.reasoning, stream=self.stream, deltas=self.deltas))
        if self.text is not None:
            out.append(OutputItem(text=self.text, stream=self.stream, deltas=self.deltas))
        if self.tool_call is not None:
            out.append(OutputItem(tool_call=self.tool_call))
        return out
