"""Test data built through the same services the product uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ordena.accounts.models import User
from ordena.accounts.passwords import hash_password
from ordena.db.engine import Database
from ordena.tenancy.models import Membership, Role, Tenant
from ordena.tenancy.services import enter_firm

PASSWORD = "correct-horse-battery-9"

# Hashing with argon2 costs ~50 ms; test users share one precomputed hash.
_HASH = hash_password(PASSWORD)


@dataclass
class FirmFixture:
    tenant: Tenant
    users: dict[Role, User] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.tenant.slug

    @property
    def id(self) -> uuid.UUID:
        return self.tenant.id

    def email(self, role: Role) -> str:
        return self.users[role].email


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def make_firm(
    database: Database, *, roles: tuple[Role, ...] = tuple(Role), name: str | None = None
) -> FirmFixture:
    slug = unique("firm")
    async with database.session() as db:
        tenant = Tenant(slug=slug, name=name or f"Firma {slug}")
        db.add(tenant)
        await db.flush()
        await enter_firm(db, tenant, None)
        firm = FirmFixture(tenant)
        for role in roles:
            user = User(
                email=f"{role.value}.{slug}@example.test", name=f"{role.value.title()} {slug[-4:]}", password_hash=_HASH
            )
            db.add(user)
            await db.flush()
            db.add(Membership(tenant_id=tenant.id, user_id=user.id, role=role))
            firm.users[role] = user
        await db.commit()
    return firm
