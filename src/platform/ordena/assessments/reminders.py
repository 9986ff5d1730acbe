"""Reminders to client respondents: those who went quiet on a self-assessment, and everyone
still answering a few days before the assessment's due date (see jobs.py). Also the due date
itself: read from a form and set on an assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.invitations import mail_link
from ordena.assessments.lookups import get_assessment, invited_contacts
from ordena.assessments.models import OPEN_STATUSES, Assessment, Respondent
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.models import Contact
from ordena.companies.services import get_company
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _

# The due-date reminder goes out this many days before the date.
DUE_REMINDER_DAYS = 3
# The firm's market: "today" and the due date are days in Lima.
LIMA = dt.timezone(dt.timedelta(hours=-5))

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


def today(at: dt.datetime | None = None) -> dt.date:
    return (at or now()).astimezone(LIMA).date()


def parse_due_on(raw: str, errors: FormErrors, *, field: str = "due_on") -> dt.date | None:
    """The optional due date typed in a form (``YYYY-MM-DD`` from a date input); empty is none."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(field, _("Escribe una fecha válida (día, mes y año)."))
        return None
    if value < today():
        errors.add(field, _("La fecha límite no puede estar en el pasado."))
    elif value > today() + dt.timedelta(days=730):
        errors.add(field, _("La fecha límite debe estar dentro de los próximos dos años."))
    return value


async def set_due_on(
    db: AsyncSession, tenant_id: UUID, actor: Actor, assessment_id: UUID, due_on: dt.date | None
) -> Assessment:
    """Set or clear the date the client should answer by (only while the assessment is open)."""
    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    if assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("La fecha límite solo se cambia mientras la evaluación está abierta."), status_code=409)
    before = {"due_on": assessment.due_on.isoformat() if assessment.due_on else None}
    assessment.due_on = due_on
    await db.flush()
    after = {"due_on": due_on.isoformat() if due_on else None}
    AuditTrail(db, tenant_id, actor)("update", "assessment", assessment.id, before=before, after=after)
    return assessment


async def send_due_reminders(db: AsyncSession, settings: Any, tenant: Any, at: dt.datetime | None = None) -> int:
    """Email every invited contact who has not handed in, once per due date, when the open
    assessment is due within ``DUE_REMINDER_DAYS``; returns how many emails."""
    day = today(at)
    stmt = (
        select(Assessment)
        .where(
            Assessment.tenant_id == tenant.id,
            Assessment.status.in_(OPEN_STATUSES),
            Assessment.due_on.is_not(None),
            Assessment.due_on >= day,
            Assessment.due_on <= day + dt.timedelta(days=DUE_REMINDER_DAYS),
            Assessment.due_reminded_for.is_distinct_from(Assessment.due_on),
        )
        .with_for_update(skip_locked=True)
    )
    audit = AuditTrail(db, tenant.id, SYSTEM)
    sent = 0
    for assessment in (await db.scalars(stmt)).all():
        assert assessment.due_on is not None
        company = await get_company(db, tenant.id, assessment.company_id)
        pending = await invited_contacts(db, tenant.id, assessment.id, unsubmitted_only=True)
        days_left = (assessment.due_on - day).days
        for respondent, contact in pending:
            await mail_link(
                db,
                settings,
                tenant,
                assessment,
                company,
                contact,
                respondent,
                template="assessment_due",
                extra={"due_on": assessment.due_on, "days_left": days_left},
            )
            sent += 1
        assessment.due_reminded_for = assessment.due_on
        audit("remind_due", "assessment", assessment.id, after={"due_on": assessment.due_on.isoformat()})
    await db.flush()
    return sent
