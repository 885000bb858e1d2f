"""The rules, with stable ids, one line each, and their level by direction.

``c2s`` is the level when the change is in a type clients send (request params,
client notifications, responses to server requests); ``s2c`` when servers send it
(responses, server notifications, server-request params). A type reachable both
ways takes the higher level.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    INFO = 0
    WARN = 1
    ERROR = 2


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    c2s: Level
    s2c: Level
    explanation: str
    example: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "CMP001",
            "method-removed",
            Level.ERROR,
            Level.ERROR,
            "A method or notification disappeared: the peer that still uses it breaks.",
            "`account/logout` no longer in ClientRequest",
        ),
        Rule(
            "CMP002",
            "method-added",
            Level.INFO,
            Level.INFO,
            "A new method or notification: old peers never use it.",
            "`account/usage/read` added to ClientRequest",
        ),
        Rule(
            "CMP010",
            "required-field-added",
            Level.ERROR,
            Level.INFO,
            "A new required field: old clients do not send it; old clients ignore it "
            "when servers send it.",
            "`LoginAccountParams.apiKey` variant gains required `org`",
        ),
        Rule(
            "CMP011",
            "required-field-removed",
            Level.WARN,
            Level.ERROR,
            "A field disappeared: old clients may still send it (ignored), or still read "
            "it (breaks when it was required).",
            "`GetAccountResponse.requiresOpenaiAuth` removed",
        ),
        Rule(
            "CMP014",
            "optional-field-removed",
            Level.WARN,
            Level.WARN,
            "An optional field disappeared: harmless for well-behaved peers, worth a look.",
            "`GetAccountResponse.workspaceRouting` removed",
        ),
        Rule(
            "CMP015",
            "optional-field-added",
            Level.INFO,
            Level.INFO,
            "A new optional field: old peers ignore it.",
            "`GetAccountResponse.workspaceRouting` added",
        ),
        Rule(
            "CMP012",
            "field-became-required",
            Level.ERROR,
            Level.INFO,
            "An optional field is now required.",
            "`GetAccountParams.refreshToken` now required",
        ),
        Rule(
            "CMP013",
            "field-became-optional",
            Level.INFO,
            Level.ERROR,
            "A required field is now optional: old clients expect it in every answer.",
            "`ChatgptAccount.email` no longer required",
        ),
        Rule(
            "CMP020",
            "type-changed",
            Level.ERROR,
            Level.ERROR,
            "A value changes type (widening a client-sent type, or narrowing a "
            "server-sent one, is INFO).",
            "`RateLimitWindow.usedPercent` integer -> string",
        ),
        Rule(
            "CMP021",
            "became-nullable",
            Level.INFO,
            Level.ERROR,
            "null is now allowed: old clients do not expect null from a server.",
            "`ChatgptAccount.planType` may be null",
        ),
        Rule(
            "CMP022",
            "became-non-nullable",
            Level.ERROR,
            Level.INFO,
            "null is no longer allowed: old clients that send null break.",
            "`LoginAccountParams.chatgptPlanType` no longer nullable",
        ),
        Rule(
            "CMP030",
            "enum-value-added",
            Level.INFO,
            Level.ERROR,
            "A new enum value: old clients reject values they do not know.",
            "`PlanType` gains `promax`",
        ),
        Rule(
            "CMP031",
            "enum-value-removed",
            Level.ERROR,
            Level.INFO,
            "An enum value disappeared: old clients that send it break.",
            "`CancelLoginAccountStatus` loses `notFound`",
        ),
        Rule(
            "CMP040",
            "variant-added",
            Level.INFO,
            Level.ERROR,
            "A new oneOf/anyOf variant: old clients cannot read it.",
            "`Account` gains `amazonBedrock`",
        ),
        Rule(
            "CMP041",
            "variant-removed",
            Level.ERROR,
            Level.INFO,
            "A oneOf/anyOf variant disappeared: old clients that send it break.",
            "`LoginAccountParams` loses `chatgptDeviceCode`",
        ),
        Rule(
            "CMP050",
            "ref-target-changed",
            Level.WARN,
            Level.WARN,
            "A $ref points at another definition; the targets are compared too.",
            "`account` refers to `AccountV2` instead of `Account`",
        ),
        Rule(
            "LNT001",
            "not-camel-case",
            Level.WARN,
            Level.WARN,
            "A property name breaks the wire's camelCase convention.",
            "`plan_type` in `AccountUpdatedNotification`",
        ),
        Rule(
            "LNT002",
            "no-description",
            Level.INFO,
            Level.INFO,
            "A type has no description.",
            "`CancelLoginAccountParams` without a description",
        ),
    )
}
