"""Telling the client their results are published: every invited contact of the assessment gets
an email with a fresh personal link that opens the results.

Publishing only enqueues :func:`announce_results` in its own transaction (the lifecycle has no
settings to build links with); the job sends the emails through ``send_mail``. It is idempotent:
``assessment.results_mailed_at`` says the contacts were told about this publication (a publish
after a reopen tells them again).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.invitations import mail_link
from ordena.assessments.lookups import get_assessment, invited_contacts
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.services import get_company
from ordena.jobs.outbox import enqueue
from ordena.lib.clock import now

SYSTEM = Actor(None, "ordena")
JOB = "mail_results_published"


def results_landing(assessment_id: UUID) -> str:
    return f"/c/assessments/{assessment_id}/results"


def announce_results(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> None:
    """Called in the publish transaction: the emails go out once it commits."""
    enqueue(db, JOB, tenant_id, assessment_id)


async def mail_results_published(db: AsyncSession, settings: Any, tenant: Any, assessment_id: UUID) -> int:
    """Email each invited contact of the published assessment a link to its results; returns how
    many. Nothing when it is no longer published or this publication was already announced."""
    assessment = await get_assessment(db, tenant.id, assessment_id, for_update=True)
    if assessment.status != "published" or assessment.published_at is None:
        return 0
    if assessment.results_mailed_at is not None and assessment.results_mailed_at >= assessment.published_at:
        return 0
    company = await get_company(db, tenant.id, assessment.company_id)
    sent = 0
    for respondent, contact in await invited_contacts(db, tenant.id, assessment.id):
        await mail_link(
            db,
            settings,
            tenant,
            assessment,
            company,
            contact,
            respondent,
            template="results_published",
            landing=results_landing(assessment.id),
        )
        sent += 1
    assessment.results_mailed_at = now()
    AuditTrail(db, tenant.id, SYSTEM)("notify", "assessment", assessment.id, after={"results_mailed_to": sent})
    await db.flush()
    return sent
