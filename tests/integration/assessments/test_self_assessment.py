"""Self-assessment: invitations by email, the contact's magic-link pages, submit, reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from ordena.accounts.models import LinkToken
from ordena.assessments.evidence import add_file_evidence
from ordena.assessments.jobs import run_reminders
from ordena.assessments.lifecycle import transition
from ordena.assessments.models import EvidenceRevision, Respondent
from ordena.assessments.reminders import due_reminders
from ordena.companies.services import remove_contact
from ordena.lib.clock import now
from ordena.mail.models import Email
from tests.integration.assessments.helpers import (
    htmx,
    link_in,
    login,
    make_world,
    new_assessment,
    newest_email,
    reload,
    tree_of,
)


async def _invite(client: Any, world: Any, a: Any, contacts: list[Any]) -> None:
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    response = await client.post(
        f"/w/{world.slug}/assessments/{a.id}/invite", {"contact_ids": [str(c.id) for c in contacts]}
    )
    assert response.status_code == 303, response.text[:500]


async def _open_link(browser: Any, url: str) -> Any:
    """The same test browser becomes the contact (one app lifespan per test: one client): it
    opens the link's page and presses its button, as a person does."""
    browser.client.cookies.clear()
    browser.csrf = None
    page = await browser.get(urlsplit(url).path, follow_redirects=False)
    if page.status_code != 200:
        return page
    signed_in = await browser.post(urlsplit(url).path, {}, follow_redirects=False)
    browser.csrf = None  # the new session has its own token
    return signed_in


async def _back_to_consultant(browser: Any, world: Any) -> None:
    browser.client.cookies.clear()
    browser.csrf = None
    await login(browser, world)


async def test_invited_contacts_get_a_branded_email_and_their_link_opens_their_questionnaire(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    await _invite(client, world, a, world.contacts)
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None and world.company.name in mail.subject and world.firm.tenant.name in mail.html_body
    contact = client
    landing = await _open_link(contact, link_in(mail))
    assert landing.status_code == 303 and landing.headers["location"] == f"/c/assessments/{a.id}"
    home = await contact.get(f"/c/assessments/{a.id}")
    assert home.status_code == 200 and world.firm.tenant.name in home.text and a.title in home.text
    # The link is single use.
    assert (await _open_link(client, link_in(mail))).status_code == 410


async def test_an_expired_link_is_refused(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    await _invite(client, world, a, world.contacts[:1])
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None
    async with database.session() as db:
        await db.execute(
            update(LinkToken)
            .where(LinkToken.email == world.contacts[0].email)
            .values(expires_at=now() - dt.timedelta(minutes=1))
        )
        await db.commit()
    assert (await _open_link(client, link_in(mail))).status_code == 410


async def test_a_contact_answers_half_comes_back_later_and_submits(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    tree = await tree_of(database, world)
    await _invite(client, world, a, world.contacts[:1])
    contact = client
    await _open_link(contact, link_in(await newest_email(database, world.contacts[0].email)))  # type: ignore[arg-type]
    d = tree.dimensions[0]
    page = await contact.get(f"/c/assessments/{a.id}/q/{d.key}")
    assert page.status_code == 200 and tree.label(d.questions[0].text) in page.text
    for q in d.questions[: len(d.questions) // 2 + 1]:
        r = await contact.post(
            f"/c/assessments/{a.id}/answers", {"question_id": str(q.id), "level": "3"}, headers=htmx(contact)
        )
        assert r.status_code == 200 and "Guardado" in r.text
    again = await contact.get(f"/c/assessments/{a.id}/q/{d.key}")
    assert f'name="level_{d.questions[0].id}" value="3" checked' in again.text
    refused = await contact.post(f"/c/assessments/{a.id}/submit", {})
    assert refused.status_code == 422 and "Faltan" in refused.text
    done = await contact.post(f"/c/assessments/{a.id}/submit", {"confirm": "1"})
    assert done.status_code == 303
    assert (await reload(database, world, a.id)).status == "submitted"
    late = await contact.post(f"/c/assessments/{a.id}/answers", {"question_id": str(d.questions[0].id), "level": "5"})
    assert late.status_code == 409
    # The consultant sees who answered what.
    await _back_to_consultant(client, world)
    overview = await client.get(f"/w/{world.slug}/assessments/{a.id}")
    assert world.contacts[0].name in overview.text
    q_page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{d.key}")
    assert f"{world.contacts[0].name}: 3" in q_page.text


async def test_a_contact_session_reaches_only_its_own_assessment(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    other = await new_assessment(database, world, kind="self")
    elsewhere = await make_world(database)
    foreign = await new_assessment(database, elsewhere, kind="self")
    await _invite(client, world, a, world.contacts[:1])
    contact = client
    await _open_link(contact, link_in(await newest_email(database, world.contacts[0].email)))  # type: ignore[arg-type]
    q = (await tree_of(database, world)).questions[0]
    for target in (other.id, foreign.id):
        assert (await contact.get(f"/c/assessments/{target}")).status_code == 404
        assert (await contact.get(f"/c/assessments/{target}/q/{q.dimension_key}")).status_code == 404
        assert (await contact.get(f"/c/assessments/{target}/results")).status_code == 404
        assert (
            await contact.post(f"/c/assessments/{target}/answers", {"question_id": str(q.id), "level": "3"})
        ).status_code == 404
    # Unpublished results of its own assessment are not shown either, nor the firm's pages.
    assert (await contact.get(f"/c/assessments/{a.id}/results")).status_code == 404
    firm_page = await contact.get(f"/w/{world.slug}/assessments/{a.id}", follow_redirects=False)
    assert firm_page.status_code in (303, 404) and a.title not in firm_page.text


async def _reminders_to(database: Any, world: Any) -> int:
    """Reminder emails to this test's own contacts: the job also reminds other tests' firms."""
    async with database.session() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(Email)
            .where(Email.template == "assessment_reminder", Email.to.in_([c.email for c in world.contacts]))
        )
    return int(count or 0)


async def test_reminders_go_to_idle_respondents_once_per_period(client: Any, database: Any, app: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    await _invite(client, world, a, world.contacts)
    settings = app.state.settings
    async with database.session(tenant_id=world.tenant_id) as db:
        assert await due_reminders(db, world.tenant_id) == []  # just invited: not due
        # The first contact has been idle for 8 days (reminder_days = 7); the second answered yesterday.
        await db.execute(
            update(Respondent)
            .where(Respondent.tenant_id == world.tenant_id, Respondent.contact_id == world.contacts[0].id)
            .values(invited_at=now() - dt.timedelta(days=8))
        )
        await db.execute(
            update(Respondent)
            .where(Respondent.tenant_id == world.tenant_id, Respondent.contact_id == world.contacts[1].id)
            .values(invited_at=now() - dt.timedelta(days=8), last_activity_at=now() - dt.timedelta(days=1))
        )
        await db.commit()
    await run_reminders(database, settings)
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None and mail.template == "assessment_reminder"
    second = await newest_email(database, world.contacts[1].email)
    assert second is not None and second.template == "assessment_invitation"
    async with database.session(tenant_id=world.tenant_id) as db:
        assert await due_reminders(db, world.tenant_id) == []  # reminded: not again this period
    await run_reminders(database, settings)
    assert await _reminders_to(database, world) == 1


async def test_after_publication_the_contact_sees_the_results_with_the_radar(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    tree = await tree_of(database, world)
    await _invite(client, world, a, world.contacts[:1])
    contact = client
    await _open_link(contact, link_in(await newest_email(database, world.contacts[0].email)))  # type: ignore[arg-type]
    await contact.get(f"/c/assessments/{a.id}")
    for q in tree.questions:
        await contact.post(f"/c/assessments/{a.id}/answers", {"question_id": str(q.id), "level": "2"})
    assert (await contact.post(f"/c/assessments/{a.id}/submit", {})).status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        for action in ("validate", "publish"):
            await transition(db, world.tenant_id, a.id, action, world.actor)
        await db.commit()
    page = await contact.get(f"/c/assessments/{a.id}/results")
    assert page.status_code == 200 and "<svg" in page.text and world.firm.tenant.name in page.text
    home = await contact.get(f"/c/assessments/{a.id}")
    assert "Resultados publicados" in home.text


async def test_a_contact_removed_from_the_company_loses_their_open_session_and_their_link(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    q = (await tree_of(database, world)).questions[0]
    await _invite(client, world, a, world.contacts[:1])
    # The invitation is resent: one link is used now, the other stays in the inbox.
    await _invite(client, world, a, world.contacts[:1])
    unused = link_in(await newest_email(database, world.contacts[0].email))  # type: ignore[arg-type]
    async with database.session() as db:
        first = (
            await db.execute(
                select(LinkToken.id)
                .where(LinkToken.email == world.contacts[0].email, LinkToken.used_at.is_(None))
                .order_by(LinkToken.created_at)
                .limit(1)
            )
        ).scalar_one()
        await db.execute(update(LinkToken).where(LinkToken.id == first).values(used_at=now()))
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        ev, _rev = await add_file_evidence(
            db,
            client.client.app.state.settings,
            world.tenant_id,
            a.id,
            q.id,
            filename="politica.pdf",
            content=b"%PDF-1.4\n%%EOF\n",
            comment="",
            actor=world.actor,
        )
        await db.commit()
    contact = client
    assert (await _open_link(contact, unused)).status_code == 303
    assert (await contact.get(f"/c/assessments/{a.id}")).status_code == 200
    async with database.session(tenant_id=world.tenant_id) as db:
        await remove_contact(db, world.tenant_id, world.actor, world.company, world.contacts[0].id)
        await db.commit()
    for path in (
        f"/c/assessments/{a.id}",
        f"/c/assessments/{a.id}/q/{q.dimension_key}",
        f"/c/assessments/{a.id}/evidence/{ev.id}/download",
    ):
        assert (await contact.get(path)).status_code == 404, path


async def test_a_contact_cannot_overwrite_the_consultants_evidence_with_a_new_revision(
    client: Any, database: Any
) -> None:
    pdf = b"%PDF-1.4\n%%EOF\n"
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    q = (await tree_of(database, world)).questions[0]
    async with database.session(tenant_id=world.tenant_id) as db:
        theirs, _rev = await add_file_evidence(
            db,
            client.client.app.state.settings,
            world.tenant_id,
            a.id,
            q.id,
            filename="politica.pdf",
            content=pdf,
            comment="",
            actor=world.actor,
        )
        await db.commit()
    await _invite(client, world, a, world.contacts[:1])
    contact = client
    await _open_link(contact, link_in(await newest_email(database, world.contacts[0].email)))  # type: ignore[arg-type]

    async def upload(evidence_id: str | None = None) -> Any:
        data = {"_csrf": await contact.token(), "question_id": str(q.id)}
        if evidence_id:
            data["evidence_id"] = evidence_id
        return await contact.client.post(
            f"/c/assessments/{a.id}/evidence",
            data=data,
            files={"file": ("falsa.pdf", pdf + b"% forged\n", "application/pdf")},
            headers={"sec-fetch-site": "same-origin"},
            follow_redirects=False,
        )

    assert (await upload(str(theirs.id))).status_code == 404
    async with database.session(tenant_id=world.tenant_id) as db:
        revisions = await db.scalars(select(EvidenceRevision).where(EvidenceRevision.evidence_id == theirs.id))
        assert [r.revision for r in revisions] == [1]
    # Their own file they may revise.
    assert (await upload()).status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        mine = await db.scalar(
            select(EvidenceRevision).where(
                EvidenceRevision.tenant_id == world.tenant_id, EvidenceRevision.evidence_id != theirs.id
            )
        )
    assert mine is not None
    assert (await upload(str(mine.evidence_id))).status_code == 303
