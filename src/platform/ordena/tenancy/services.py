"""Firms and memberships: look-ups that always take the firm, and the rules on roles."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

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


# slug -> (expires at, detached read-only copy). Each request gets its own persistent copy
# (``merge(load=False)``: no SQL), so the cached object is never attached, changed or shared.
_TENANT_TTL = 5.0
_TENANT_CACHE_MAX = 4096
_tenant_cache: dict[str, tuple[float, Tenant]] = {}


async def tenant_by_slug_cached(db: AsyncSession, slug: str) -> Tenant | None:
    """:func:`tenant_by_slug` for the per-request firm guard: the row is cached in-process for a
    few seconds (changes made through the ORM in this process drop it at once). Membership is
    still checked on every request."""
    hit = _tenant_cache.get(slug)
    clock = time.monotonic()
    if hit is not None and hit[0] > clock:
        return await db.merge(hit[1], load=False)
    tenant = await tenant_by_slug(db, slug)
    if tenant is None:
        _tenant_cache.pop(slug, None)
        return None
    if len(_tenant_cache) >= _TENANT_CACHE_MAX:
        _tenant_cache.clear()
    copy = Tenant(**{attr.key: getattr(tenant, attr.key) for attr in inspect(Tenant).column_attrs})
    make_transient_to_detached(copy)
    _tenant_cache[slug] = (clock + _TENANT_TTL, copy)
    return tenant


def forget_tenant(slug: str | None = None) -> None:
    """Drop a cached firm (all of them without ``slug``)."""
    if slug is None:
        _tenant_cache.clear()
    else:
        _tenant_cache.pop(slug, None)


@event.listens_for(Tenant, "after_update")
@event.listens_for(Tenant, "after_delete")
def _forget_changed_tenant(_mapper: Any, _connection: Any, target: Tenant) -> None:
    # The slug before the change too, should it ever be renamed.
    history = inspect(target).attrs.slug.history
    for slug in (*(history.deleted or ()), target.slug):
        forget_tenant(slug)


async def enter_firm(db: AsyncSession, tenant: Tenant, user_id: UUID | None) -> None:
    """From now on (this and later transactions) ``db`` sees only this firm's rows."""
    set_context(db, tenant_id=tenant.id, user_id=user_id)
    if db.in_transaction():
        await apply_context_now(db)


# Built once: a module-level statement keeps its cache key, so each request skips rebuilding it.
_ROLE_OF = select(Membership.role).where(
    Membership.tenant_id == bindparam("tenant_id"), Membership.user_id == bindparam("user_id")
)


async def role_in_firm(db: AsyncSession, tenant: Tenant, user: User) -> Role | None:
    """Enter the firm and return the user's role there, if any."""
    await enter_firm(db, tenant, user.id)
    role: Role | None = await db.scalar(_ROLE_OF, {"tenant_id": tenant.id, "user_id": user.id})
    return role


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
