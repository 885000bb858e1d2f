"""Findings and directions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .rules import RULES, Level


class Direction(StrEnum):
    C2S = "client->server"
    S2C = "server->client"
    BOTH = "both"


@dataclass
class Finding:
    rule: str
    path: str
    message: str
    direction: Direction
    experimental: bool = False
    hint: str | None = None
    level: Level = field(init=False)
    ignored_by: str | None = None

    def __post_init__(self) -> None:
        rule = RULES[self.rule]
        if self.direction is Direction.C2S:
            self.level = rule.c2s
        elif self.direction is Direction.S2C:
            self.level = rule.s2c
        else:
            self.level = max(rule.c2s, rule.s2c)

    def effective_level(self, strict_experimental: bool) -> Level:
        if self.experimental and not strict_experimental:
            return Level.INFO
        return self.level

    def to_json(self, strict_experimental: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["direction"] = self.direction.value
        data["level"] = self.effective_level(strict_experimental).name
        data["name"] = RULES[self.rule].name
        return data
