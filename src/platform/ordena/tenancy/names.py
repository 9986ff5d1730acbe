"""Names of a firm's members by membership or user id, in one query each (the audit log shows
names, not ids). Reads the user accounts joined to the firm's memberships, read-only, as the
members page does: a user outside the firm is not looked up."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.tenancy.models import Membership


async def names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    """The member's name for each membership among ``ids``; unknown ids are left out."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Membership.id, User.name, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, Membership.id.in_(ids))
    )
    return {membership_id: name or email for membership_id, name, email in rows.all()}


async def user_names_by_ids(db: AsyncSession, tenant_id: UUID, user_ids: Collection[UUID]) -> dict[UUID, str]:
    """The name of each of the firm's members among ``user_ids`` (by user id)."""
    if not user_ids:
        return {}
    rows = await db.execute(
        select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, User.id.in_(user_ids))
    )
    return {user_id: name or email for user_id, name, email in rows.all()}
