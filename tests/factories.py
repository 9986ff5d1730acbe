"""Test data built through the same services the product uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

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


# A company row written with raw SQL (tests of the driver path): $1 firm, $2 id, $3 name.
INSERT_COMPANY_SQL = (
    "INSERT INTO company (tenant_id, id, name, country, industry_section, size_band, default_target_level,"
    " created_at, updated_at) VALUES ($1, $2, $3, 'PE', 'G', 'micro', 3, now(), now())"
)


async def add_company(database: Database, tenant_id: Any, name: str) -> None:
    """One company of the firm, through the service (the firm's company count with it), committed."""
    from ordena.audit.services import Actor
    from ordena.companies.services import create_company

    async with database.session(tenant_id=tenant_id) as db:
        await create_company(
            db, tenant_id, Actor(None, "test"), {"name": name, "industry_section": "G", "size_band": "micro"}
        )
        await db.commit()
