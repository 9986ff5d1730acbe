"""A new owner of an initiative gets one email, in their language, delivered over a real SMTP
server (aiosmtpd); no email when the owner stays, when one assigns oneself, or when the change is refused."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, update

from ordena.accounts import api_tokens
from ordena.companies.models import Contact
from ordena.db.engine import Database
from ordena.jobs.runtime import bind_jobs, close_worker_database, make_broker
from ordena.mail.jobs import send_email
from ordena.mail.models import Email
from ordena.plans.assignment import Mailer
from ordena.plans.editing import InitiativeInvalid, update_initiative
from ordena.plans.lookups import get_plan, list_initiatives
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.factories import PASSWORD
from tests.integration.mail.smtp import SmtpServer
from tests.integration.plans.helpers import PlanWorld, generated, validated_assessment

TEMPLATE = "initiative_assigned"


async def _assigned(database: Database, world: PlanWorld) -> list[Email]:
    async with database.session() as db:
        rows = await db.scalars(
            select(Email).where(Email.template == TEMPLATE, Email.firm_id == world.tenant_id).order_by(Email.created_at)
        )
        return list(rows)


async def _change(
    database: Database, settings: Settings, world: PlanWorld, initiative_id: uuid.UUID, values: dict[str, Any]
) -> None:
    async with database.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        await update_initiative(
            db, world.tenant_id, world.actor, initiative_id, values, partial=True, mailer=Mailer(settings, tenant)
        )
        await db.commit()


async def _deliver(database: Database, settings: Settings, emails: list[Email]) -> None:
    bind_jobs(make_broker(settings), settings)
    try:
        for email in emails:
            await send_email(str(email.id))
    finally:
        await close_worker_database()


def _bodies(message: Any) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return text, message.get_body(("html",)).get_content()


async def test_the_new_owner_is_told_once_in_their_language(
    migrated: Settings, database: Database, smtp_server: SmtpServer
) -> None:
    settings = replace(migrated, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    owner = world.firm.users[Role.OWNER]
    async with database.session(tenant_id=world.tenant_id) as db:
        first, second, third = (await list_initiatives(db, world.tenant_id, plan_id))[:3]
        plan = await get_plan(db, world.tenant_id, plan_id)
        await db.execute(update(Contact).where(Contact.id == world.contact_id).values(locale="en"))
        contact = await db.get(Contact, (world.tenant_id, world.contact_id))
        assert contact is not None
        await db.commit()

    # A member: Spanish (their language), the plan's page.
    await _change(database, settings, world, first.id, {"owner": f"user:{owner.id}", "due_on": "2026-12-15"})
    # The same owner again, and the consultant taking one themselves: nothing.
    await _change(database, settings, world, first.id, {"owner": f"user:{owner.id}", "progress": "40"})
    await _change(database, settings, world, second.id, {"owner": f"user:{world.actor.id}"})
    # A refused change (blocked without a reason) rolls back, its email with it.
    async with database.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        with pytest.raises(InitiativeInvalid):
            await update_initiative(
                db,
                world.tenant_id,
                world.actor,
                third.id,
                {"owner": f"contact:{contact.id}", "status": "blocked"},
                partial=True,
                mailer=Mailer(settings, tenant),
            )
        await db.rollback()
    # From the consultant to a client contact (English): the contact's own page.
    await _change(database, settings, world, second.id, {"owner": f"contact:{contact.id}"})

    emails = await _assigned(database, world)
    assert [e.to for e in emails] == [owner.email, contact.email]
    await _deliver(database, settings, emails)

    [mine] = smtp_server.inbox.to(owner.email)
    text, html = _bodies(mine)
    assert mine["Subject"] == f"Te asignaron la iniciativa «{first.title}»"
    assert f"iniciativa «{first.title}» del plan «{plan.title}»" in text and "15 de diciembre de 2026" in text
    assert f"{settings.base_url}/w/{world.firm.slug}/plans/{plan_id}#i-{first.id}" in text
    assert first.title in html and f"/w/{world.firm.slug}/plans/{plan_id}" in html

    [hers] = smtp_server.inbox.to(contact.email)
    text, html = _bodies(hers)
    assert hers["Subject"] == f"You were assigned the initiative “{second.title}”"
    assert "It has no due date yet." in text and f"{settings.base_url}/c/initiatives" in text
    assert "/c/initiatives" in html and f"/plans/{plan_id}" not in html


async def test_the_forms_and_the_api_tell_the_new_owner(client: Any, migrated: Settings, database: Database) -> None:
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        first = (await list_initiatives(db, world.tenant_id, plan_id))[0]
    await client.login(world.firm.email(Role.CONSULTANT), PASSWORD)
    plan_url = f"/w/{world.firm.slug}/plans/{plan_id}"
    form = {"title": first.title, "dimension_key": first.dimension_key, "priority": "1", "status": "pending"}
    saved = await client.post(
        f"{plan_url}/initiatives/{first.id}", {**form, "progress": "0", "owner": f"contact:{world.contact_id}"}
    )
    assert saved.status_code == 303
    added = await client.post(
        f"{plan_url}/initiatives",
        {**form, "title": "Tablero semanal", "owner": f"user:{world.firm.users[Role.OWNER].id}"},
    )
    assert added.status_code == 303
    emails = await _assigned(database, world)
    assert [e.to for e in emails] == [await _contact_email(database, world), world.firm.email(Role.OWNER)]
    assert "Tablero semanal" in emails[1].subject and "Tablero semanal" in emails[1].html_body

    # The API's PATCH too (to the viewer; the same owner again sends nothing).
    viewer = world.firm.users[Role.VIEWER]
    api_url = f"/api/v1/w/{world.firm.slug}/plans/{plan_id}/initiatives/{first.id}"
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, world.actor.id, "api")
        await db.commit()
    for _ in range(2):
        patched = await client.client.patch(
            api_url, json={"owner": f"user:{viewer.id}"}, headers={"authorization": f"Bearer {secret}"}
        )
        assert patched.status_code == 200, patched.text
    assert [e.to for e in await _assigned(database, world)][2:] == [viewer.email]


async def _contact_email(database: Database, world: PlanWorld) -> str:
    async with database.session(tenant_id=world.tenant_id) as db:
        email = await db.scalar(select(Contact.email).where(Contact.id == world.contact_id))
        assert email is not None
        return email
