"""Firms and memberships: look-ups that always take the firm, and the rules on roles."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.db.detached import Detached
from ordena.db.engine import apply_context_now, set_context
from ordena.db.request_db import RequestDB
from ordena.tenancy import queries
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


# slug -> (expires at, the row's values). Each request gets its own detached copy, so nothing
# shared is ever attached or changed.
_TENANT_TTL = 5.0
_TENANT_CACHE_MAX = 4096
_tenant_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_TENANTS = Detached(Tenant)


def cached_tenant_id(slug: str) -> UUID | None:
    """The firm's id when its row is in the cache (no database work either way)."""
    hit = _tenant_cache.get(slug)
    if hit is None or hit[0] <= time.monotonic():
        return None
    tenant_id: UUID = hit[1]["id"]
    return tenant_id


async def tenant_by_slug_cached(rdb: RequestDB, slug: str) -> Tenant | None:
    """:func:`tenant_by_slug` for the per-request firm guard: the row is cached in-process for a
    few seconds (changes made through the ORM in this process drop it at once). Membership is
    still checked on every request."""
    hit = _tenant_cache.get(slug)
    clock = time.monotonic()
    if hit is not None and hit[0] > clock:
        # A private copy per request (a handler may change it before merging it), detached:
        # a change is saved with ``db.merge``, as before.
        return _TENANTS.from_dict(hit[1])
    tenant = await tenant_by_slug(await rdb.session(), slug)
    if tenant is None:
        _tenant_cache.pop(slug, None)
        return None
    if len(_tenant_cache) >= _TENANT_CACHE_MAX:
        _tenant_cache.clear()
    _tenant_cache[slug] = (clock + _TENANT_TTL, _TENANTS.values_of(tenant))
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


async def role_in_firm(
    rdb: RequestDB, tenant: Tenant, user: User, *, known: tuple[UUID, UUID, str | None] | None = None
) -> Role | None:
    """Enter the firm and return the user's role there; a non-member gets None and no context.

    ``known``: (firm id, user id, stored role name) read earlier in this request (the session
    look-up of a firm page reads the role in the same round trip); used when it is about this
    firm and this user, otherwise the role is read here, on the driver, where the same
    statement writes the firm into the open transaction's context (if one is open)."""
    if known is not None and known[0] == tenant.id and known[1] == user.id:
        role, applied = known[2], False
    else:
        role, applied = await queries.enter_and_read_role(await rdb.con(), tenant_id=tenant.id, user_id=user.id), True
    if role is None:
        return None
    await rdb.enter(tenant_id=tenant.id, user_id=user.id, applied=applied)  # and the later transactions
    return Role[role]  # stored by name (SQLAlchemy Enum)


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
