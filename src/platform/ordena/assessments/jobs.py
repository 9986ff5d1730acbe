"""Reminders for client respondents who have not finished a self-assessment.

``send_assessment_reminders`` walks every firm and emails each invited respondent who has been
idle for the assessment's ``reminder_days`` and has not submitted, at most once per period
(``respondent.reminded_at``). Idempotent: a second run in the same period sends nothing.

The job runtime enqueues it every ``ORDENA_REMINDER_INTERVAL_MINUTES`` (default 15, 0 turns it
off) from every web process and ``ordena worker`` (:class:`ordena.jobs.runtime.PeriodicJobs`);
being idempotent, several processes doing so is harmless. ``ordena jobs reminders`` runs one pass
by hand. The same pass sends the due-date reminders (``send_due_reminders``, once per due date).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from ordena.assessments.reminders import send_due_reminders, send_reminders
from ordena.assessments.results_mail import JOB as RESULTS_MAIL_JOB
from ordena.assessments.results_mail import mail_results_published
from ordena.db.engine import Database
from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.tenancy.models import Tenant


async def run_reminders(database: Any, settings: Any) -> int:
    """One pass over every firm; returns how many reminders were sent."""
    async with database.session() as db:
        tenants = list(await db.scalars(select(Tenant)))
    sent = 0
    for tenant in tenants:
        async with database.session(tenant_id=tenant.id) as db:
            sent += await send_reminders(db, settings, tenant)
            sent += await send_due_reminders(db, settings, tenant)
            await db.commit()
    return sent


@job("send_assessment_reminders")
async def send_assessment_reminders() -> None:
    await run_reminders(worker_database(), worker_settings())


@job(RESULTS_MAIL_JOB)
async def mail_results(tenant_id: str, assessment_id: str) -> None:
    """The contacts of a just-published assessment hear about it (idempotent, see results_mail)."""
    async with worker_database().session(tenant_id=UUID(tenant_id)) as db:
        tenant = await db.get(Tenant, UUID(tenant_id))
        if tenant is None:
            return
        await mail_results_published(db, worker_settings(), tenant, UUID(assessment_id))
        await db.commit()


async def reminders_command(settings: Any) -> int:
    """``ordena jobs reminders``: one pass; the emails go out through the outbox relay."""
    database = Database.connect(settings)
    try:
        return await run_reminders(database, settings)
    finally:
        await database.dispose()
