"""ORM objects built from driver rows (ordena.db.detached) behave like objects loaded by a
session since closed: every column readable, no pending change, mergeable by identity."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select

from ordena.accounts.models import User
from ordena.db.detached import Detached
from ordena.db.driver import driver
from ordena.db.engine import Database

USERS = Detached(User)


async def test_a_user_built_from_a_driver_row_reads_like_a_loaded_one_and_saves_through_merge(
    database: Database,
) -> None:
    async with database.session() as db:
        user = User(email=f"detached.{uuid.uuid4().hex[:8]}@example.com", name="Rosa Detached", locale="en")
        db.add(user)
        await db.commit()

    async with database.session() as db:
        con = await driver(db)
        columns = ", ".join(f'"{column}"' for column in USERS.columns)
        row = await con.fetchrow(f"SELECT {columns} FROM user_account WHERE id = $1", user.id)
        assert row is not None
        built = USERS.from_row(row.values())
        state = inspect(built)
        assert state.detached and not state.modified
        assert state.identity == (user.id,)
        assert (built.name, built.email, built.locale, built.is_active) == ("Rosa Detached", user.email, "en", True)
        assert USERS.values_of(built) == USERS.values_of(USERS.from_dict(USERS.values_of(built)))

        attached = await db.merge(built)
        attached.name = "Rosa Merged"
        await db.commit()

    async with database.session() as db:
        assert await db.scalar(select(User.name).where(User.id == user.id)) == "Rosa Merged"
