"""Who approves a code: a persona with a name, an email, a plan and ids.

Missing fields come from Faker, seeded per backend so a run can be reproduced.
Emails use the reserved ``example.com`` domain so nothing here looks like a
real account.
"""

from __future__ import annotations

import random
import uuid
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

#: The plan types codex knows (the newest vendored schema's ``PlanType``, less ``unknown``;
#: ``sci`` and ``sci_plus`` since 0.169.0, older releases read them as ``unknown``).
PlanType = Literal[
    "free",
    "go",
    "plus",
    "pro",
    "prolite",
    "promax",
    "team",
    "self_serve_business_prolite",
    "self_serve_business_usage_based",
    "business",
    "ent26",
    "enterprise_cbp_automation",
    "enterprise_cbp_usage_based",
    "enterprise",
    "edu",
    "edu_plus",
    "edu_pro",
    "sci",
    "sci_plus",
]
PLAN_TYPES: tuple[str, ...] = get_args(PlanType)


class PersonaFields(BaseModel):
    """Fields a caller may set when approving a code; the rest are generated."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    plan_type: PlanType | None = None
    account_id: str | None = Field(default=None, min_length=1, max_length=200)
    user_id: str | None = Field(default=None, min_length=1, max_length=200)


class Persona(BaseModel):
    """A complete identity, as the id_token and the backend report it."""

    model_config = ConfigDict(frozen=True)

    email: str
    name: str
    plan_type: str
    account_id: str
    user_id: str


class PersonaFactory:
    """Fills in personas; one per backend, seeded for reproducible runs."""

    def __init__(self, seed: int | None = None, default_plan: str = "pro") -> None:
        from faker import Faker  # imported here: Faker costs ~100 ms to import

        self._faker = Faker()
        self._random = random.Random(seed)
        if seed is not None:
            self._faker.seed_instance(seed)
        self.default_plan = default_plan

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def suggest(self) -> Persona:
        """A fresh persona with every field generated."""
        return self.complete(PersonaFields())

    def complete(self, fields: PersonaFields | None) -> Persona:
        fields = fields or PersonaFields()
        name = fields.name or self._faker.name()
        if fields.email:
            email = fields.email
        else:
            local = ".".join(part.lower() for part in name.split() if part.isalpha()) or "user"
            email = f"{local}.{self._random.randrange(1000, 9999)}@example.com"
        return Persona(
            email=email,
            name=name,
            plan_type=fields.plan_type or self.default_plan,
            account_id=fields.account_id or self._uuid(),
            user_id=fields.user_id or f"user-{self._random.getrandbits(96):024x}",
        )
