"""The new-assessment form and a draft's life before anyone answers: errors shown where they
are, no silent duplicates, a draft deleted, a self-assessment started by its contact."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from ordena.assessments.models import Assessment
from ordena.audit.models import AuditEvent
from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.assessments.helpers import htmx, link_in, login, make_world, new_assessment, newest_email, reload
from tests.integration.assessments.test_self_assessment import _invite, _open_link


async def _count(database: Any, world: Any) -> int:
    async with database.session(tenant_id=world.tenant_id) as db:
        return int(
            await db.scalar(select(func.count()).select_from(Assessment).where(Assessment.tenant_id == world.tenant_id))
            or 0
        )


async def test_a_target_error_opens_its_collapsed_section_and_focuses_the_field(client: Any, database: Any) -> None:
    world = await make_world(database)
    await login(client, world)
    url = f"/w/{world.slug}/companies/{world.company.id}/assessments/new"
    page = await client.get(url)
    assert "<details>" in page.text  # collapsed while nothing is wrong
    key = re.search(r'name="target_([a-z_]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await client.post(url, {"kind": "consultant", "reminder_days": "7", f"target_{key}": "9"})
    assert r.status_code == 422 and "La meta debe ser un nivel del 1 al 5" in r.text
    assert "<details open>" in r.text
    field = re.search(rf'<input id="f-target_{key}"[^>]*>', r.text)
    assert field is not None and "autofocus" in field.group(0) and 'value="9"' in field.group(0)
    assert r.text.count("autofocus") == 1
    assert await _count(database, world) == 0


async def test_submitting_the_same_form_twice_does_not_make_a_second_draft(client: Any, database: Any) -> None:
    world = await make_world(database)
    await login(client, world)
    url = f"/w/{world.slug}/companies/{world.company.id}/assessments/new"
    await client.get(url)
    form = {"kind": "consultant", "reminder_days": "7", "title": ""}
    first = await client.post(url, form)
    again = await client.post(url, form)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert "No se creó otra" in (await client.get(again.headers["location"])).text
    assert await _count(database, world) == 1
    # A different kind is a different assessment.
    assert (await client.post(url, {**form, "kind": "self"})).status_code == 303
    assert await _count(database, world) == 2


async def test_a_draft_is_deleted_with_an_audit_line_and_only_by_its_firm(client: Any, database: Any) -> None:
    world = await make_world(database)
    draft = await new_assessment(database, world)
    other = await make_world(database)
    theirs = await new_assessment(database, other)
    await login(client, world)
    overview = await client.get(f"/w/{world.slug}/assessments/{draft.id}")
    assert f"/assessments/{draft.id}/delete" in overview.text and "data-confirm" in overview.text
    assert (await client.post(f"/w/{world.slug}/assessments/{theirs.id}/delete")).status_code == 404
    r = await client.post(f"/w/{world.slug}/assessments/{draft.id}/delete")
    assert r.status_code == 303 and r.headers["location"] == f"/w/{world.slug}/companies/{world.company.id}"
    assert await _count(database, world) == 0 and await _count(database, other) == 1
    async with database.session(tenant_id=world.tenant_id) as db:
        line = await db.scalar(
            select(AuditEvent).where(AuditEvent.tenant_id == world.tenant_id, AuditEvent.action == "delete")
        )
    assert line is not None and line.entity_id == str(draft.id) and line.before["status"] == "draft"
    # Once started, an assessment is no longer a draft to throw away.
    started = await new_assessment(database, world, kind="both")
    await client.post(f"/w/{world.slug}/assessments/{started.id}/transition", {"action": "start"})
    assert (await client.post(f"/w/{world.slug}/assessments/{started.id}/delete")).status_code == 409
    assert (await reload(database, world, started.id)).status == "in_progress"


async def test_a_self_assessment_leaves_draft_when_its_contact_answers(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    await _invite(client, world, a, world.contacts[:1])
    assert (await reload(database, world, a.id)).status == "draft"
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None
    contact = client
    await _open_link(contact, link_in(mail))
    tree_page = await contact.get(f"/c/assessments/{a.id}")
    assert tree_page.status_code == 200
    question_id = re.search(r'name="level_([0-9a-f-]{36})"', (await _first_page(contact, a.id)).text).group(1)  # type: ignore[union-attr]
    r = await contact.post(
        f"/c/assessments/{a.id}/answers", {"question_id": question_id, "level": "2"}, headers=htmx(contact)
    )
    assert r.status_code == 200
    assert (await reload(database, world, a.id)).status == "in_progress"
    contact.client.cookies.clear()
    contact.csrf = None
    await contact.login(world.firm.email(Role.CONSULTANT), PASSWORD)
    assert "Borrador" not in (await contact.get(f"/w/{world.slug}/assessments/{a.id}")).text.split("</hgroup>")[0]


async def _first_page(contact: Any, assessment_id: Any) -> Any:
    home = await contact.get(f"/c/assessments/{assessment_id}")
    path = re.search(rf'href="(/c/assessments/{assessment_id}/q/[a-z_]+)"', home.text)
    assert path is not None
    return await contact.get(path.group(1))
