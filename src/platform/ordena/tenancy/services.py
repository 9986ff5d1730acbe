"""Firms and memberships: look-ups that always take the firm, and the rules on roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.db.engine import apply_context_now, set_context
from ordena.tenancy.models import Membership, Role, Tenant

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
RESERVED_SLUGS = {"api", "admin", "static", "login", "logout", "signup", "health", "schema", "w", "new"}


@dataclass
class FirmContext:
    """The firm a request acts in, and the caller's role there."""

    tenant: Tenant
    user: User
    role: Role

    @property
    def tenant_id(self) -> UUID:
        return self.tenant.id

    def can(self, role: Role) -> bool:
        return self.role.at_least(role)

    @property
    def can_owner(self) -> bool:
        return self.can(Role.OWNER)

    @property
    def can_partner(self) -> bool:
        return self.can(Role.PARTNER)

    @property
    def can_consult(self) -> bool:
        return self.can(Role.CONSULTANT)


async def tenant_by_slug(db: AsyncSession, slug: str) -> Tenant | None:
    tenant: Tenant | None = await db.scalar(select(Tenant).where(Tenant.slug == slug))
    return tenant


async def enter_firm(db: AsyncSession, tenant: Tenant, user_id: UUID | None) -> None:
    """From now on (this and later transactions) ``db`` sees only this firm's rows."""
    set_context(db, tenant_id=tenant.id, user_id=user_id)
    if db.in_transaction():
        await apply_context_now(db)


async def membership_of(db: AsyncSession, tenant: Tenant, user: User) -> Membership | None:
    await enter_firm(db, tenant, user.id)
    membership: Membership | None = await db.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    )
    return membership


async def firms_of_user(db: AsyncSession, user_id: UUID) -> list[tuple[Tenant, Role]]:
    """Every firm the user belongs to (RLS lets a user read their own memberships)."""
    set_context(db, tenant_id=None, user_id=user_id)
    if db.in_transaction():
        await apply_context_now(db)
    stmt = (
        select(Tenant, Membership.role)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user_id)
        .order_by(Tenant.name)
    )
    return [(t, r) for t, r in (await db.execute(stmt)).all()]
