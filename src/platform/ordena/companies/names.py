"""Names of a firm's companies and contacts by id, in one query each (the audit log shows names,
not ids)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.companies.models import Company, Contact


async def names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    """The firm's companies among ``ids`` (archived ones too); unknown ids are left out."""
    if not ids:
        return {}
    rows = await db.execute(select(Company.id, Company.name).where(Company.tenant_id == tenant_id, Company.id.in_(ids)))
    return {company_id: name for company_id, name in rows.all()}


@dataclass(frozen=True)
class ContactName:
    name: str
    company_id: UUID


async def contact_names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, ContactName]:
    """The firm's contacts among ``ids``, with the company each belongs to."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Contact.id, Contact.name, Contact.company_id).where(Contact.tenant_id == tenant_id, Contact.id.in_(ids))
    )
    return {contact_id: ContactName(name, company_id) for contact_id, name, company_id in rows.all()}
