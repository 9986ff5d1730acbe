"""A client contact updates the initiatives they own, in their contact session, and nothing else."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ordena.audit.models import AuditEvent
from ordena.plans.models import Initiative, InitiativeComment
from tests.integration.assessments.helpers import link_in, login, make_world, new_assessment, newest_email
from tests.integration.plans.helpers_views import Item, add_contact, make_plan, published_with_scores


async def _as_contact(client: Any, database: Any, world: Any) -> None:
    a = await new_assessment(database, world, kind="self")
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    r = await client.post(f"/w/{world.slug}/assessments/{a.id}/invite", {"contact_ids": [str(world.contacts[0].id)]})
    assert r.status_code == 303
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None
    client.client.cookies.clear()
    client.csrf = None
    # The link's page, then its button (a scanner's GET alone signs nobody in).
    await client.get(urlsplit(link_in(mail)).path, follow_redirects=False)
    await client.post(urlsplit(link_in(mail)).path, {}, follow_redirects=False)
    client.csrf = None  # the contact's session has its own token


async def test_contact_updates_only_their_own_initiatives_and_the_consultant_sees_their_name(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    base = await published_with_scores(
        database, world.tenant_id, {"ventas": "2.00"}, title="2024", company_id=world.company.id
    )
    _plan, (mine, colleague) = await make_plan(
        database,
        world.tenant_id,
        base,
        [
            Item("Embudo de ventas", owner_contact_id=world.contacts[0].id),
            Item("Política de precios", owner_contact_id=world.contacts[1].id),
        ],
    )
    # Another company of the same firm, and another firm, each with an initiative of its own contact.
    other_base = await published_with_scores(database, world.tenant_id, {"ventas": "2.00"}, title="Otra")
    stranger = await add_contact(database, world.tenant_id, other_base.company_id, "Extraño")
    _p, (elsewhere,) = await make_plan(
        database, world.tenant_id, other_base, [Item("Ajena", owner_contact_id=stranger.id)]
    )
    far = await make_world(database)
    far_base = await published_with_scores(
        database, far.tenant_id, {"ventas": "2.00"}, title="Lejos", company_id=far.company.id
    )
    _p, (far_away,) = await make_plan(
        database, far.tenant_id, far_base, [Item("Lejana", owner_contact_id=far.contacts[0].id)]
    )

    await _as_contact(client, database, world)
    page = await client.get("/c/initiatives")
    assert page.status_code == 200
    assert "Embudo de ventas" in page.text and "Política de precios" not in page.text and "Ajena" not in page.text
    saved = await client.post(
        f"/c/initiatives/{mine.id}", {"status": "in_progress", "progress": "40", "comment": "Ya tenemos el CRM"}
    )
    assert saved.status_code == 303, saved.text[:400]
    bad = await client.post(f"/c/initiatives/{mine.id}", {"status": "in_progress", "progress": "140"})
    assert bad.status_code == 422 and "Escribe un número entero de 0 a 100." in bad.text and 'value="140"' in bad.text
    for other in (colleague, elsewhere, far_away):
        r = await client.post(f"/c/initiatives/{other.id}", {"status": "done"})
        assert r.status_code == 404

    async with database.session(tenant_id=world.tenant_id) as db:
        row = await db.scalar(select(Initiative).where(Initiative.id == mine.id))
        assert row is not None and (row.status, row.progress) == ("in_progress", 40)
        untouched = await db.scalar(select(Initiative).where(Initiative.id == colleague.id))
        assert untouched is not None and untouched.status == "pending"
        [comment] = list(await db.scalars(select(InitiativeComment).where(InitiativeComment.initiative_id == mine.id)))
        assert comment.author_label == world.contacts[0].name and comment.author_contact_id == world.contacts[0].id
        events = list(
            await db.scalars(select(AuditEvent).where(AuditEvent.entity_id.in_([str(mine.id), str(comment.id)])))
        )
    assert events and all(world.contacts[0].name in e.actor_label for e in events)
    assert {(e.entity_type, e.action) for e in events} == {("initiative", "update"), ("initiative_comment", "create")}


async def test_a_firm_member_without_a_contact_session_cannot_open_the_contact_pages(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    await login(client, world)
    # No contact session: sent to ask for a contact link, nothing of the contact pages shown.
    away = await client.get("/c/initiatives", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/c/link"
