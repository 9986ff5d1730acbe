"""Who owns an initiative, by name: a firm member (user) or a contact of the client company."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.companies.services import contacts_by_ids
from ordena.plans.models import Initiative


async def owner_names(
    db: AsyncSession, tenant_id: UUID, company_id: UUID, initiatives: list[Initiative]
) -> dict[UUID, str]:
    """Initiative id → its owner's name (initiatives without an owner are left out)."""
    contact_ids = list({i.owner_contact_id for i in initiatives if i.owner_contact_id})
    user_ids = list({i.owner_user_id for i in initiatives if i.owner_user_id})
    contacts = {c.id: c.name or c.email for c in await contacts_by_ids(db, tenant_id, company_id, contact_ids)}
    users: dict[UUID, str] = {}
    if user_ids:
        # A page read: user names of the firm's own members, read-only.
        rows = await db.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
        users = {uid: name or email for uid, name, email in rows.all()}
    out: dict[UUID, str] = {}
    for i in initiatives:
        if i.owner_contact_id and i.owner_contact_id in contacts:
            out[i.id] = contacts[i.owner_contact_id]
        elif i.owner_user_id and i.owner_user_id in users:
            out[i.id] = users[i.owner_user_id]
    return out
