"""A client contact's magic-link session ends after a few idle days (issue 14, item 2): on a
shared computer it stayed signed in for 14 days."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from ordena.accounts.models import UserSession
from ordena.lib.clock import now
from tests.integration.assessments.helpers import link_in, newest_email
from tests.integration.assessments.test_contact_access import _invited


async def _contact_session(database: Any) -> UserSession:
    async with database.session() as db:
        found = await db.scalar(
            select(UserSession)
            .where(UserSession.scope["kind"].as_string() == "contact", UserSession.revoked_at.is_(None))
            .order_by(UserSession.created_at.desc())
            .limit(1)
        )
    assert found is not None
    return found


async def _set_expiry(database: Any, session_id: Any, at: dt.datetime) -> None:
    async with database.session() as db:
        await db.execute(update(UserSession).where(UserSession.id == session_id).values(expires_at=at))
        await db.commit()


async def test_a_contacts_session_lasts_the_idle_days_is_extended_by_use_and_ends_when_idle(
    client: Any, database: Any, migrated: Any
) -> None:
    world, a = await _invited(database, migrated)
    path = urlsplit(link_in(await newest_email(database, world.contacts[0].email))).path  # type: ignore[arg-type]
    await client.get(path)
    await client.post(path, {})
    session = await _contact_session(database)
    idle = dt.timedelta(days=migrated.contact_idle_days)
    assert migrated.contact_idle_days < migrated.session_days
    assert abs(session.expires_at - (now() + idle)) < dt.timedelta(minutes=5)

    # Used on day 5 of 7: the week starts again.
    await _set_expiry(database, session.id, now() + dt.timedelta(days=2))
    assert (await client.get(f"/c/assessments/{a.id}")).status_code == 200
    extended = await _contact_session(database)
    assert abs(extended.expires_at - (now() + idle)) < dt.timedelta(minutes=5)

    # Left idle past the week: the cookie reaches nothing.
    await _set_expiry(database, session.id, now() - dt.timedelta(seconds=1))
    response = await client.get(f"/c/assessments/{a.id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/c/link"
