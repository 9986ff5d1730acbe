"""Sign-in links for client contacts who own initiatives (``/c/initiatives``).

A contact who owns initiatives need not be a respondent of any assessment, so their link carries
no assessment: its scope is the firm, the company and the contact, and lands on their
initiatives. A session opened with it reaches those initiatives only (the assessment pages ask
for an assessment in the scope and answer 404 without one). Such links go out in the daily
digest and, on request, from the public "ask for a fresh link" form when the address is a
contact owning open initiatives of a company that is not archived.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import CONTACT_SIGN_IN, issue_link
from ordena.companies.models import Company, Contact
from ordena.companies.services import contacts_by_address, get_company, get_contact
from ordena.lib.errors import NotFound
from ordena.mail.services import send_mail
from ordena.plans.models import Initiative, Plan
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import enter_firm

LANDING = "/c/initiatives"
# One email per firm and company that knows the address as an owner, at most this many.
MAX_OWNER_LINKS = 5


def is_owner_scope(scope: dict[str, Any]) -> bool:
    """A contact session or link of an initiative owner (no assessment in it)."""
    return not scope.get("respondent_id") and not scope.get("assessment_id")


async def owner_contact(db: AsyncSession, tenant_id: UUID, scope: dict[str, Any]) -> Contact | None:
    """The contact of an owner's session, while still a contact of that company (removing the
    contact ends what an open session or an unused link reaches)."""
    try:
        company_id, contact_id = UUID(str(scope["company_id"])), UUID(str(scope["contact_id"]))
    except (KeyError, ValueError):
        return None
    try:
        return await get_contact(db, tenant_id, company_id, contact_id)
    except NotFound:
        return None


async def owns_open_initiatives(db: AsyncSession, tenant_id: UUID, company_id: UUID, contact_id: UUID) -> bool:
    """Whether the contact owns an unfinished initiative of a plan of their (not archived) company."""
    found = await db.scalar(
        select(Initiative.id)
        .join(Plan, (Plan.tenant_id == Initiative.tenant_id) & (Plan.id == Initiative.plan_id))
        .join(Company, (Company.tenant_id == Plan.tenant_id) & (Company.id == Plan.company_id))
        .where(
            Initiative.tenant_id == tenant_id,
            Initiative.owner_contact_id == contact_id,
            Initiative.status != "done",
            Plan.company_id == company_id,
            Company.archived_at.is_(None),
        )
        .limit(1)
    )
    return found is not None


async def issue_owner_link(db: AsyncSession, settings: Any, tenant_id: UUID, contact: Contact) -> str:
    """A single-use sign-in link (the same kind as the assessment links) to the contact's initiatives."""
    return await issue_link(
        db,
        settings,
        purpose=CONTACT_SIGN_IN,
        email=contact.email,
        ttl=dt.timedelta(hours=settings.link_ttl_hours),
        scope={
            "tenant_id": str(tenant_id),
            "company_id": str(contact.company_id),
            "contact_id": str(contact.id),
            "landing": LANDING,
        },
    )


async def mail_owner_links(db: AsyncSession, settings: Any, email: str, skip: set[UUID]) -> int:
    """Mail a fresh link to each contact with this address who owns open initiatives (contacts in
    ``skip`` were just sent an assessment link, which reaches their initiatives too); returns how many."""
    sent = 0
    for tenant_id, company_id, contact_id in await contacts_by_address(db, email):
        if sent >= MAX_OWNER_LINKS:
            break
        if contact_id in skip:
            continue
        tenant = await db.get(Tenant, tenant_id)
        if tenant is None:
            continue
        await enter_firm(db, tenant, None)
        if not await owns_open_initiatives(db, tenant_id, company_id, contact_id):
            continue
        contact = await get_contact(db, tenant_id, company_id, contact_id)
        company = await get_company(db, tenant_id, company_id)
        await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=contact.email,
            template="owner_link",
            locale=contact.locale or str(tenant.locale),
            context={
                "name": contact.name,
                "firm": tenant.name,
                "brand_name": tenant.name,
                "brand_color": tenant.brand_color,
                "company": company.name,
                "url": await issue_owner_link(db, settings, tenant_id, contact),
                "hours": settings.link_ttl_hours,
            },
        )
        sent += 1
    return sent
