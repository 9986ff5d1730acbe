"""The daily digest of due initiatives, delivered over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ordena.jobs.runtime import bind_jobs, close_worker_database, make_broker, periodic_schedule
from ordena.lib.clock import now
from ordena.mail.jobs import send_email
from ordena.mail.models import Email
from ordena.plans.reminders import send_digests
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.integration.assessments.helpers import make_world
from tests.integration.mail.smtp import SmtpServer
from tests.integration.plans.helpers_views import Item, make_plan, published_with_scores

TODAY = now().date()


def _day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


async def _run(database: Any, settings: Settings, tenant_id: Any, on: dt.date) -> int:
    async with database.session(tenant_id=tenant_id) as db:
        tenant = await db.get(Tenant, tenant_id)
        sent = await send_digests(db, settings, tenant, on=on)
        await db.commit()
    return sent


async def _deliver_all(database: Any, settings: Settings, to: list[str]) -> None:
    async with database.session() as db:
        ids = list(await db.scalars(select(Email.id).where(Email.to.in_(to), Email.sent_at.is_(None))))
    bind_jobs(make_broker(settings), settings)
    try:
        for email_id in ids:
            await send_email(str(email_id))
    finally:
        await close_worker_database()


async def test_each_owner_gets_one_digest_a_day_and_can_unsubscribe_in_one_click(
    migrated: Settings, database: Any, smtp_server: SmtpServer, client: Any
) -> None:
    settings = replace(migrated, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    world = await make_world(database)
    consultant = world.firm.users[Role.CONSULTANT]
    ana, beto = world.contacts
    base = await published_with_scores(
        database, world.tenant_id, {"ventas": "2.00"}, title="2024", company_id=world.company.id
    )
    await make_plan(
        database,
        world.tenant_id,
        base,
        [
            Item("Embudo de ventas", due_on=_day(-2), owner_user_id=consultant.id),
            Item("Política de precios", due_on=_day(1), owner_user_id=consultant.id),
            Item("Tablero comercial", due_on=_day(30), owner_user_id=consultant.id),
            Item("Manual comercial", status="done", due_on=_day(-5), owner_user_id=consultant.id),
            Item("Canal único", due_on=_day(7), owner_contact_id=ana.id),
            Item("Encuesta", due_on=_day(3), owner_contact_id=beto.id),
        ],
    )
    assert await _run(database, settings, world.tenant_id, TODAY) == 2
    assert await _run(database, settings, world.tenant_id, TODAY) == 0  # the same day again: nothing twice
    await _deliver_all(database, settings, [consultant.email, ana.email, beto.email])

    [mine] = smtp_server.inbox.to(consultant.email)
    text = mine.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "Vencidas:\n- Embudo de ventas" in text and "Vencen mañana:\n- Política de precios" in text
    assert "Tablero comercial" not in text and "Manual comercial" not in text
    [hers] = smtp_server.inbox.to(ana.email)
    body = hers.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert "Vencen en 7 días:\n- Canal único" in body
    assert smtp_server.inbox.to(beto.email) == []

    link = re.search(r"https?://\S+/plans/unsubscribe/\S+", body)
    assert link is not None
    page = await client.get(urlsplit(link.group(0)).path)
    assert page.status_code == 200 and "Te diste de baja" in page.text
    assert (await client.get(urlsplit(link.group(0)).path)).status_code == 200  # clicking again is harmless
    assert (await client.get(urlsplit(link.group(0)).path[:-3] + "xyz")).status_code == 404

    # Six days later Ana's initiative is due tomorrow, but she unsubscribed; the consultant (still
    # overdue) and Beto (his is now overdue) hear.
    assert await _run(database, settings, world.tenant_id, _day(6)) == 2
    await _deliver_all(database, settings, [consultant.email, ana.email, beto.email])
    assert len(smtp_server.inbox.to(ana.email)) == 1 and len(smtp_server.inbox.to(consultant.email)) == 2
    assert len(smtp_server.inbox.to(beto.email)) == 1


def test_the_digest_is_scheduled_like_the_assessment_reminders(migrated: Settings) -> None:
    schedule = dict(periodic_schedule(migrated))
    assert schedule["send_plan_digests"] == 3600
    assert dict(periodic_schedule(replace(migrated, plan_digest_interval_minutes=0)))["send_plan_digests"] == 0
