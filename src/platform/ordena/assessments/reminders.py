"""Reminders to client respondents who went quiet on a self-assessment (see jobs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.invitations import mail_link
from ordena.assessments.models import OPEN_STATUSES, Assessment, Respondent
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.models import Contact
from ordena.companies.services import get_company
from ordena.lib.clock import now

# Reminders are sent by the product itself, not by a person.
SYSTEM = Actor(None, "ordena")


async def due_reminders(
    db: AsyncSession, tenant_id: UUID, at: dt.datetime | None = None
) -> list[tuple[Respondent, Assessment]]:
    """Invited client respondents who have not submitted and have been idle for the
    assessment's ``reminder_days`` (and were not reminded within that period)."""
    at = at or now()
    period = func.make_interval(0, 0, 0, Assessment.reminder_days)
    idle_since = func.coalesce(Respondent.last_activity_at, Respondent.invited_at)
    stmt = (
        select(Respondent, Assessment)
        .join(Assessment, (Assessment.tenant_id == Respondent.tenant_id) & (Assessment.id == Respondent.assessment_id))
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.kind == "self",
            Respondent.invited_at.is_not(None),
            Respondent.submitted_at.is_(None),
            Assessment.status.in_(OPEN_STATUSES),
            idle_since <= at - period,
            (Respondent.reminded_at.is_(None)) | (Respondent.reminded_at <= at - period),
        )
        .with_for_update(of=Respondent, skip_locked=True)
    )
    return [(r, a) for r, a in (await db.execute(stmt)).all()]


async def send_reminders(db: AsyncSession, settings: Any, tenant: Any, at: dt.datetime | None = None) -> int:
    """Email every due respondent of ``tenant`` a fresh link; returns how many."""
    audit = AuditTrail(db, tenant.id, SYSTEM)
    sent = 0
    for respondent, assessment in await due_reminders(db, tenant.id, at):
        contact = await db.scalar(
            select(Contact).where(Contact.tenant_id == tenant.id, Contact.id == respondent.contact_id)
        )
        if contact is None:
            continue
        company = await get_company(db, tenant.id, assessment.company_id)
        await mail_link(db, settings, tenant, assessment, company, contact, respondent, template="assessment_reminder")
        respondent.reminded_at = at or now()
        audit(
            "remind", "respondent", respondent.id, after={"assessment_id": str(assessment.id), "contact": contact.email}
        )
        sent += 1
    await db.flush()
    return sent
