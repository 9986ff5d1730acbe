"""Client contacts as respondents: invitations with a personal sign-in link by email, and the
check that a contact's session still reaches the assessment it was issued for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import CONTACT_SIGN_IN, issue_link
from ordena.assessments.lookups import get_assessment
from ordena.assessments.models import OPEN_STATUSES, Assessment, Respondent
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.models import Company, Contact
from ordena.companies.services import contacts_by_ids, get_company, get_contact
from ordena.lib.clock import now
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.mail.services import send_mail
from ordena.plans.owner_links import is_owner_scope, owner_contact
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import enter_firm


def contact_landing(assessment_id: UUID) -> str:
    return f"/c/assessments/{assessment_id}"


async def invite_contacts(
    db: AsyncSession, settings: Any, tenant: Any, actor: Actor, assessment_id: UUID, contact_ids: list[UUID]
) -> list[Respondent]:
    """Each contact gets a client respondent and a personal sign-in link by email."""
    assessment = await get_assessment(db, tenant.id, assessment_id)
    if assessment.kind not in ("self", "both"):
        raise ServiceError(_("Solo se invita a clientes en una autoevaluación."), status_code=409)
    if assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("Esta evaluación ya no recibe respuestas."), status_code=409)
    if not contact_ids:
        raise ServiceError(_("Elige al menos un contacto."), field="contact_ids", status_code=422)
    contacts = await contacts_by_ids(db, tenant.id, assessment.company_id, contact_ids)
    if len(contacts) != len(set(contact_ids)):
        raise NotFound()
    company = await get_company(db, tenant.id, assessment.company_id)
    existing = {
        r.contact_id: r
        for r in await db.scalars(
            select(Respondent).where(Respondent.tenant_id == tenant.id, Respondent.assessment_id == assessment.id)
        )
    }
    audit = AuditTrail(db, tenant.id, actor)
    out: list[Respondent] = []
    for contact in contacts:
        respondent = existing.get(contact.id)
        if respondent is None:
            respondent = Respondent(
                tenant_id=tenant.id, assessment_id=assessment.id, kind="self", contact_id=contact.id
            )
            db.add(respondent)
            await db.flush()
        if respondent.submitted_at is not None:
            continue
        respondent.invited_at = now()
        await mail_link(
            db,
            settings,
            tenant,
            assessment,
            company,
            contact,
            respondent,
            template="assessment_invitation",
            inviter=actor.label,
        )
        audit(
            "invite", "respondent", respondent.id, after={"assessment_id": str(assessment.id), "contact": contact.email}
        )
        out.append(respondent)
    await db.flush()
    return out


def contact_locale(contact: Contact, tenant: Any) -> str:
    """The language of the contact's emails: the one they last used on their pages, else the firm's."""
    return contact.locale or str(tenant.locale)


async def mail_link(
    db: AsyncSession,
    settings: Any,
    tenant: Any,
    assessment: Assessment,
    company: Company,
    contact: Contact,
    respondent: Respondent,
    *,
    template: str,
    inviter: str = "",
    landing: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Email the contact a sign-in link scoped to their respondent (invitation, reminder, a fresh
    link they asked for, results published); ``landing`` is where the link opens."""
    ttl_hours = max(settings.link_ttl_hours, 24 * assessment.reminder_days)
    url = await issue_link(
        db,
        settings,
        purpose=CONTACT_SIGN_IN,
        email=contact.email,
        ttl=dt.timedelta(hours=ttl_hours),
        scope={
            "tenant_id": str(tenant.id),
            "company_id": str(company.id),
            "contact_id": str(contact.id),
            "assessment_id": str(assessment.id),
            "respondent_id": str(respondent.id),
            "landing": landing or contact_landing(assessment.id),
        },
    )
    await send_mail(
        db,
        templates_dir=settings.templates_dir,
        to=contact.email,
        template=template,
        locale=contact_locale(contact, tenant),
        context={
            "name": contact.name,
            "firm": tenant.name,
            "brand_name": tenant.name,
            "brand_color": tenant.brand_color,
            "company": company.name,
            "title": assessment.title,
            "url": url,
            "hours": ttl_hours,
            "inviter": inviter,
            **(extra or {}),
        },
    )


async def invited_contact(
    db: AsyncSession, tenant_id: UUID, respondent_id: UUID, contact_id: UUID, assessment_id: UUID, company_id: UUID
) -> Contact | None:
    """The contact, while still a respondent of this assessment of this company (removing a
    contact removes their respondent row, so an open session or an unused link reaches nothing)."""
    found = await db.scalar(
        select(Respondent.id)
        .join(
            Assessment,
            (Assessment.tenant_id == Respondent.tenant_id) & (Assessment.id == Respondent.assessment_id),
        )
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.id == respondent_id,
            Respondent.contact_id == contact_id,
            Respondent.assessment_id == assessment_id,
            Assessment.company_id == company_id,
        )
    )
    if found is None:
        return None
    try:
        return await get_contact(db, tenant_id, company_id, contact_id)
    except NotFound:
        return None


async def contact_still_invited(
    db: AsyncSession, tenant_id: UUID, respondent_id: UUID, contact_id: UUID, assessment_id: UUID, company_id: UUID
) -> bool:
    return await invited_contact(db, tenant_id, respondent_id, contact_id, assessment_id, company_id) is not None


async def remember_contact_locale(db: AsyncSession, tenant_id: UUID, contact: Contact, locale: str) -> None:
    """Keep the language the contact uses on their pages, so their next emails are in it."""
    if contact.locale == locale:
        return
    before = {"locale": contact.locale}
    contact.locale = locale
    await db.flush()
    AuditTrail(db, tenant_id, Actor(None, f"contact:{contact.id}"))(
        "update", "contact", contact.id, before=before, after={"locale": locale}
    )


async def remember_scope_locale(db: AsyncSession, scope: dict[str, Any], locale: str) -> None:
    """:func:`remember_contact_locale` for the contact of a contact link's or session's scope
    (enters the contact's firm; a contact no longer invited is left alone). An initiative owner's
    scope has no respondent: the contact need only still be one of the company's."""
    try:
        tenant_id, contact_id, company_id = (UUID(str(scope[k])) for k in ("tenant_id", "contact_id", "company_id"))
    except (KeyError, ValueError):
        return
    tenant = await db.get(Tenant, tenant_id)
    if tenant is None:
        return
    await enter_firm(db, tenant, None)
    contact: Contact | None
    if is_owner_scope(scope):
        contact = await owner_contact(db, tenant_id, scope)
    else:
        try:
            respondent_id, assessment_id = UUID(str(scope["respondent_id"])), UUID(str(scope["assessment_id"]))
        except (KeyError, ValueError):
            return
        contact = await invited_contact(db, tenant_id, respondent_id, contact_id, assessment_id, company_id)
    if contact is not None:
        await remember_contact_locale(db, tenant_id, contact, locale)
