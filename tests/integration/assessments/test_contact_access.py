"""A client contact can always get back in (link page with a button, a fresh link by email, sign
out) and hears from the firm (results published, due date coming)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from ordena.accounts.models import LinkToken, UserSession
from ordena.assessments.invitations import invite_contacts
from ordena.assessments.jobs import run_reminders
from ordena.assessments.lifecycle import transition
from ordena.assessments.models import Assessment
from ordena.assessments.reminders import send_due_reminders, today
from ordena.assessments.results_mail import JOB as RESULTS_JOB
from ordena.assessments.results_mail import mail_results_published
from ordena.companies.models import Contact
from ordena.jobs.models import OutboxMessage
from ordena.lib.clock import now
from ordena.mail.models import Email
from ordena.tenancy.models import Role, Tenant
from tests.integration.accounts.helpers import put_cookie
from tests.integration.assessments.helpers import link_in, login, make_world, new_assessment, newest_email

SESSION_COOKIE = "ordena_session"


async def _invited(database: Any, settings: Any, *, contacts: int = 1) -> tuple[Any, Any]:
    world = await make_world(database, contacts=contacts)
    a = await new_assessment(database, world, kind="self")
    async with database.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        await invite_contacts(db, settings, tenant, world.actor, a.id, [c.id for c in world.contacts])
        await db.commit()
    return world, a


async def _mails(database: Any, to: str) -> list[Email]:
    async with database.session() as db:
        return list(await db.scalars(select(Email).where(Email.to == to).order_by(Email.created_at)))


def _fresh(browser: Any) -> Any:
    browser.client.cookies.clear()
    browser.csrf = None
    return browser


async def test_a_scanner_opening_the_link_uses_nothing_and_the_contacts_button_signs_them_in(
    client: Any, database: Any, migrated: Any
) -> None:
    world, a = await _invited(database, migrated)
    path = urlsplit(link_in(await newest_email(database, world.contacts[0].email))).path  # type: ignore[arg-type]
    scanner = await client.get(path, follow_redirects=False)
    assert scanner.status_code == 200 and f'action="{path}"' in scanner.text
    assert scanner.headers["referrer-policy"] == "no-referrer" and "no-store" in scanner.headers["cache-control"]
    async with database.session() as db:
        link = await db.scalar(select(LinkToken).where(LinkToken.email == world.contacts[0].email))
        assert link is not None and link.used_at is None
    # The contact opens it later in the same kind of browser and presses the button.
    contact = _fresh(client)
    await contact.get(path)
    signed_in = await contact.post(path, {})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == f"/c/assessments/{a.id}"
    home = await contact.get(f"/c/assessments/{a.id}")
    assert home.status_code == 200 and world.contacts[0].name in home.text and 'action="/logout"' in home.text
    # Used once: the next opening offers a fresh link instead of a password reset.
    again = await _fresh(client).get(path)
    assert again.status_code == 410 and 'action="/c/link"' in again.text and "/password/forgot" not in again.text


async def test_the_link_page_warns_before_replacing_a_signed_in_users_session(
    client: Any, database: Any, migrated: Any
) -> None:
    world, _a = await _invited(database, migrated)
    path = urlsplit(link_in(await newest_email(database, world.contacts[0].email))).path  # type: ignore[arg-type]
    await login(client, world)
    page = await client.get(path)
    assert page.status_code == 200 and world.firm.email(Role.CONSULTANT) in page.text


async def test_a_contact_without_a_session_is_sent_to_ask_for_a_link_and_gets_a_fresh_one(
    client: Any, database: Any, migrated: Any
) -> None:
    world, a = await _invited(database, migrated)
    address = world.contacts[0].email
    away = await client.get(f"/c/assessments/{a.id}", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/c/link"
    before = len(await _mails(database, address))
    asked = await client.post("/c/link", {"email": address.upper()})
    assert asked.status_code == 200 and 'role="status"' in asked.text
    mails = await _mails(database, address)
    assert len(mails) == before + 1 and mails[-1].template == "contact_link"
    path = urlsplit(link_in(mails[-1])).path
    await _fresh(client).get(path)
    assert (await client.post(path, {})).headers["location"] == f"/c/assessments/{a.id}"
    assert (await client.get(f"/c/assessments/{a.id}")).status_code == 200


async def test_asking_for_a_link_answers_the_same_for_strangers_and_is_rate_limited(
    client: Any, database: Any, migrated: Any
) -> None:
    world, _a = await _invited(database, migrated)
    stranger = await client.post("/c/link", {"email": "nadie.aqui@example.com"})
    member = await _fresh(client).post("/c/link", {"email": world.firm.email(Role.CONSULTANT)})
    invited = await _fresh(client).post("/c/link", {"email": world.contacts[0].email})
    assert stranger.status_code == member.status_code == invited.status_code == 200
    assert await _mails(database, "nadie.aqui@example.com") == []
    assert [m.template for m in await _mails(database, world.firm.email(Role.CONSULTANT))] == []
    # A few links per address and window, however often it is asked: the page answers the same.
    for _ in range(4):
        assert (await client.post("/c/link", {"email": world.contacts[0].email})).status_code == 200
    sent = [m for m in await _mails(database, world.contacts[0].email) if m.template == "contact_link"]
    assert len(sent) == 3
    bad = await client.post("/c/link", {"email": "no-es-un-correo"})
    assert bad.status_code == 422 and "no-es-un-correo" in bad.text


async def test_a_removed_contact_asking_for_a_link_gets_nothing(client: Any, database: Any, migrated: Any) -> None:
    world, _a = await _invited(database, migrated)
    async with database.session(tenant_id=world.tenant_id) as db:
        await db.execute(
            update(Contact).where(Contact.id == world.contacts[0].id).values(email="otra.direccion@example.com")
        )
        await db.commit()
    await client.post("/c/link", {"email": world.contacts[0].email})
    assert [m.template for m in await _mails(database, world.contacts[0].email)] == ["assessment_invitation"]


async def test_a_contact_signs_out_and_the_old_cookie_reaches_nothing(
    client: Any, database: Any, migrated: Any
) -> None:
    world, a = await _invited(database, migrated)
    path = urlsplit(link_in(await newest_email(database, world.contacts[0].email))).path  # type: ignore[arg-type]
    await client.get(path)
    await client.post(path, {})
    client.csrf = None
    assert (await client.get(f"/c/assessments/{a.id}")).status_code == 200
    old_cookie = client.cookies.get(SESSION_COOKIE)
    out = await client.post("/logout", {})
    assert out.status_code == 303 and out.headers["location"] == "/c/link"
    put_cookie(client, SESSION_COOKIE, old_cookie)
    for target in (f"/c/assessments/{a.id}", f"/c/assessments/{a.id}/results"):
        response = await client.get(target, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/c/link"
    async with database.session() as db:
        sessions = list(await db.scalars(select(UserSession).where(UserSession.scope["kind"].as_string() == "contact")))
    assert any(s.revoked_at is not None for s in sessions)


async def test_publishing_tells_the_invited_contacts_in_their_language_once(database: Any, migrated: Any) -> None:
    world, a = await _invited(database, migrated, contacts=2)
    async with database.session(tenant_id=world.tenant_id) as db:
        await db.execute(update(Contact).where(Contact.id == world.contacts[1].id).values(locale="en"))
        for action in ("submit", "validate", "publish"):
            # Nothing was answered: publishing it anyway needs a reason (the firm's threshold).
            await transition(db, world.tenant_id, a.id, action, world.actor, confirm=True, reason="Prueba de avisos")
        await db.commit()
    async with database.session() as db:
        queued = list(await db.scalars(select(OutboxMessage).where(OutboxMessage.actor_name == RESULTS_JOB)))
    assert [str(a.id)] in [m.args[1:] for m in queued]
    async with database.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        assert await mail_results_published(db, migrated, tenant, a.id) == 2
        await db.commit()
        assert await mail_results_published(db, migrated, tenant, a.id) == 0  # idempotent
        await db.commit()
    es = await newest_email(database, world.contacts[0].email)
    en = await newest_email(database, world.contacts[1].email)
    assert es is not None and en is not None
    assert "publicó los resultados" in es.subject and "published the results" in en.subject
    assert "días" in es.text_body and "horas" not in es.text_body and "days" in en.text_body
    async with database.session() as db:
        link = await db.scalar(
            select(LinkToken).where(LinkToken.email == world.contacts[0].email).order_by(LinkToken.created_at.desc())
        )
    assert link is not None and link.scope["landing"] == f"/c/assessments/{a.id}/results"


async def test_a_due_date_reminder_goes_out_once_a_few_days_before(client: Any, database: Any, migrated: Any) -> None:
    world, a = await _invited(database, migrated)
    due = today() + dt.timedelta(days=2)
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    past = await client.post(f"/w/{world.slug}/assessments/{a.id}/due", {"due_on": "2020-01-01"})
    assert past.status_code == 422 and "pasado" in past.text and 'value="2020-01-01"' in past.text
    saved = await client.post(f"/w/{world.slug}/assessments/{a.id}/due", {"due_on": due.isoformat()})
    assert saved.status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        tenant = await db.get(Tenant, world.tenant_id)
        # Too early: nothing until three days before.
        assert await send_due_reminders(db, migrated, tenant, at=now() - dt.timedelta(days=5)) == 0
        assert await send_due_reminders(db, migrated, tenant) == 1
        await db.commit()
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None and mail.template == "assessment_due"
    assert "vence en 2 días" in mail.subject and "horas" not in mail.text_body
    await run_reminders(database, migrated)
    assert [m.template for m in await _mails(database, world.contacts[0].email)].count("assessment_due") == 1
    async with database.session(tenant_id=world.tenant_id) as db:
        row = await db.get(Assessment, (world.tenant_id, a.id))
        assert row is not None and row.due_on == due and row.due_reminded_for == due
