"""A contact's magic-link session reaches its assessment only while the contact is still its
respondent, for the company named in the session."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from ordena.assessments.invitations import contact_still_invited
from ordena.assessments.models import Respondent
from ordena.companies.services import remove_contact
from tests.integration.assessments.helpers import login, make_world, new_assessment


async def test_a_contact_is_still_invited_only_to_their_own_assessment_and_company(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="self")
    other = await make_world(database)
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    response = await client.post(
        f"/w/{world.slug}/assessments/{a.id}/invite", {"contact_ids": [str(world.contacts[0].id)]}
    )
    assert response.status_code == 303
    contact = world.contacts[0]
    async with database.session(tenant_id=world.tenant_id) as db:
        respondent = await db.scalar(
            select(Respondent).where(Respondent.tenant_id == world.tenant_id, Respondent.contact_id == contact.id)
        )
        assert respondent is not None
        t, r, c, co = world.tenant_id, respondent.id, contact.id, world.company.id
        assert await contact_still_invited(db, t, r, c, a.id, co)
        assert not await contact_still_invited(db, t, r, c, uuid.uuid4(), co)  # another assessment
        assert not await contact_still_invited(db, t, r, c, a.id, other.company.id)  # another company
        assert not await contact_still_invited(db, t, r, world.contacts[1].id, a.id, co)  # another contact
        await remove_contact(db, t, world.actor, world.company, c)
        assert not await contact_still_invited(db, t, r, c, a.id, co)
