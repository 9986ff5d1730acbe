"""A client contact who owns initiatives, without ever being invited to an assessment, gets a
sign-in link (on request or in the daily digest) that reaches their own initiatives only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ordena.companies.models import Contact
from ordena.lib.clock import now
from ordena.mail.models import Email
from ordena.plans.reminders import send_digests
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.integration.assessments.helpers import link_in, make_world, new_assessment
from tests.integration.plans.helpers_views import Item, add_contact, make_plan, published_with_scores


async def _mails(database: Any, to: str) -> list[Email]:
    async with database.session() as db:
        return list(await db.scalars(select(Email).where(Email.to == to).order_by(Email.created_at)))


def _fresh(browser: Any) -> Any:
    browser.client.cookies.clear()
    browser.csrf = None
    return browser


async def _sign_in(client: Any, mail: Email) -> str:
    """The link's page (GET, what a mail scanner does), then its button; returns where it lands."""
    path = urlsplit(link_in(mail)).path
    page = await _fresh(client).get(path)
    assert page.status_code == 200 and "<form" in page.text
    used = await client.post(path, {}, follow_redirects=False)
    assert used.status_code == 303
    client.csrf = None  # the contact's session has its own token
    return str(used.headers["location"])


async def test_an_owner_who_was_never_invited_asks_for_a_link_and_reaches_only_their_initiatives(
    client: Any, database: Any, migrated: Settings
) -> None:
    world = await make_world(database)
    base = await published_with_scores(
        database, world.tenant_id, {"ventas": "2.00"}, title="2024", company_id=world.company.id
    )
    dora = await add_contact(database, world.tenant_id, world.company.id, "Dora Owner")
    _plan, (hers, colleague) = await make_plan(
        database,
        world.tenant_id,
        base,
        [
            Item("Embudo de ventas", owner_contact_id=dora.id),
            Item("Política de precios", owner_contact_id=world.contacts[0].id),
        ],
    )
    # An open assessment of her company she was never invited to.
    open_one = await new_assessment(database, world, kind="self")

    asked = await client.post("/c/link", {"email": dora.email.upper()})
    assert asked.status_code == 200 and 'role="status"' in asked.text
    [mail] = await _mails(database, dora.email)
    assert mail.template == "owner_link"
    assert await _sign_in(client, mail) == "/c/initiatives"

    page = await client.get("/c/initiatives")
    assert page.status_code == 200 and "Embudo de ventas" in page.text and "Política de precios" not in page.text
    assert "Mi evaluación" not in page.text  # no assessment in her session, so no link to one
    saved = await client.post(f"/c/initiatives/{hers.id}", {"status": "in_progress", "progress": "30"})
    assert saved.status_code == 303
    assert (await client.post(f"/c/initiatives/{colleague.id}", {"status": "done"})).status_code == 404
    for path in (
        f"/c/assessments/{open_one.id}",
        f"/c/assessments/{open_one.id}/q/ventas",
        f"/c/assessments/{base.id}",
        f"/c/assessments/{base.id}/results",
    ):
        assert (await client.get(path, follow_redirects=False)).status_code == 404, path
    assert (await client.post(f"/c/assessments/{open_one.id}/answers", {})).status_code == 404

    # Removed from the company, her open session reaches nothing any more.
    async with database.session(tenant_id=world.tenant_id) as db:
        await db.delete(await db.get(Contact, (world.tenant_id, dora.id)))
        await db.commit()
    assert (await client.get("/c/initiatives", follow_redirects=False)).status_code == 404


async def test_asking_for_a_link_sends_nothing_to_an_owner_whose_initiatives_are_done_or_to_strangers(
    client: Any, database: Any, migrated: Settings
) -> None:
    world = await make_world(database)
    base = await published_with_scores(
        database, world.tenant_id, {"ventas": "2.00"}, title="2024", company_id=world.company.id
    )
    finished = await add_contact(database, world.tenant_id, world.company.id, "Terminó Todo")
    await make_plan(database, world.tenant_id, base, [Item("Listo", status="done", owner_contact_id=finished.id)])
    # The same address in another firm, owning nothing there either.
    far = await make_world(database)
    async with database.session(tenant_id=far.tenant_id) as db:
        db.add(Contact(tenant_id=far.tenant_id, company_id=far.company.id, name="Homónima", email=finished.email))
        await db.commit()
    for email in (finished.email, "nadie.aqui@example.com"):
        assert (await _fresh(client).post("/c/link", {"email": email})).status_code == 200
        assert await _mails(database, email) == []


async def test_the_digest_carries_a_single_use_link_to_the_contacts_initiatives(
    client: Any, database: Any, migrated: Settings
) -> None:
    world = await make_world(database)
    base = await published_with_scores(
        database, world.tenant_id, {"ventas": "2.00"}, title="2024", company_id=world.company.id
    )
    dora = await add_contact(database, world.tenant_id, world.company.id, "Dora Owner")
    consultant = world.firm.users[Role.CONSULTANT]
    tomorrow = now().date() + dt.timedelta(days=1)
    await make_plan(
        database,
        world.tenant_id,
        base,
        [
            Item("Canal único", due_on=tomorrow, owner_contact_id=dora.id),
            Item("Tablero", due_on=tomorrow, owner_user_id=consultant.id),
        ],
    )
    async with database.session(tenant_id=world.tenant_id) as db:
        assert await send_digests(db, migrated, await db.get(Tenant, world.tenant_id), on=now().date()) == 2
        await db.commit()
    [digest] = await _mails(database, dora.email)
    assert "Canal único" in digest.text_body and "/plans/unsubscribe/" in digest.text_body
    # A firm member signs in as usual: no personal link in theirs.
    [theirs] = await _mails(database, consultant.email)
    assert "/links/" not in theirs.text_body

    assert await _sign_in(client, digest) == "/c/initiatives"
    page = await client.get("/c/initiatives")
    assert page.status_code == 200 and "Canal único" in page.text and "Tablero" not in page.text
    # Single use: the same link again signs nobody in.
    again = await _fresh(client).post(urlsplit(link_in(digest)).path, {}, follow_redirects=False)
    assert again.status_code == 410
