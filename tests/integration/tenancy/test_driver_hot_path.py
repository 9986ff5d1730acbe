"""The hot path's statements go straight to asyncpg (ordena.db.driver) but must behave exactly
like ORM statements: same transaction, same tenant context, same row-level security."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select, text

from ordena.accounts.models import User
from ordena.accounts.sessions import load_session, load_session_in_firm, revoke, start_session
from ordena.companies.models import Company
from ordena.db.driver import commit as driver_commit
from ordena.db.driver import driver
from ordena.db.engine import Database
from ordena.db.request_db import RequestDB
from ordena.settings import Settings
from ordena.tenancy.models import Role
from ordena.tenancy.services import role_in_firm
from tests.factories import INSERT_COMPANY_SQL, PASSWORD, add_company, make_firm


@asynccontextmanager
async def _request_db(database: Database) -> AsyncIterator[RequestDB]:
    """A request's database work, closed at the end like the request middleware does."""
    rdb = RequestDB(database)
    try:
        yield rdb
    finally:
        await rdb.close()


async def test_a_statement_on_the_driver_is_undone_by_the_orm_rollback_and_kept_by_its_commit(
    database: Database,
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    async with database.session(tenant_id=firm.tenant.id) as db:
        con = await driver(db)
        await con.execute(INSERT_COMPANY_SQL, firm.tenant.id, uuid.uuid4(), "Rolled back SAC")
        assert await db.scalar(select(func.count()).select_from(Company)) == 1, "the ORM sees it: same transaction"
        await db.rollback()
        assert await db.scalar(select(func.count()).select_from(Company)) == 0

        kept = uuid.uuid4()
        con = await driver(db)
        await con.execute(INSERT_COMPANY_SQL, firm.tenant.id, kept, "Kept SAC")
        await db.commit()
    async with database.session(tenant_id=firm.tenant.id) as db:
        assert await db.scalar(select(Company.name).where(Company.id == kept)) == "Kept SAC"


async def test_entering_a_firm_sets_the_context_only_for_a_member(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, firm.tenant.id, "Visible SAC")
    member = firm.users[Role.CONSULTANT]
    stranger = other.users[Role.OWNER]

    async with _request_db(database) as rdb:
        await rdb.session()  # inside the ORM transaction, so the context is there to read
        assert await role_in_firm(rdb, firm.tenant, member) is Role.CONSULTANT
        con = await rdb.con()
        assert await con.fetchval("SELECT current_setting('app.tenant_id', true)") == str(firm.tenant.id)
        assert await con.fetchval("SELECT count(*) FROM company") == 1

    async with _request_db(database) as rdb:
        await rdb.session()
        assert await role_in_firm(rdb, firm.tenant, stranger) is None
        con = await rdb.con()
        # No membership row, so the set_config beside it never ran: no firm, no rows.
        assert (await con.fetchval("SELECT current_setting('app.tenant_id', true)")) in (None, "")
        assert await con.fetchval("SELECT count(*) FROM company") == 0


async def test_a_session_loaded_on_the_driver_is_tracked_by_the_orm(database: Database) -> None:
    async with database.session() as db:
        user = User(email=f"driver.{uuid.uuid4().hex[:8]}@example.com", name="Ana Driver")
        db.add(user)
        await db.flush()
        token, _row = await start_session(db, user_id=user.id, days=1)
        await db.commit()

    async with _request_db(database) as rdb:
        loaded = await load_session(rdb, token)
        assert loaded is not None
        session, loaded_user = loaded
        assert loaded_user is not None and loaded_user.name == "Ana Driver"
        assert session.scope == {}
        await revoke(await rdb.session(), session)  # a change to the loaded object is flushed like any other
        await rdb.commit()

    async with _request_db(database) as rdb:
        assert await load_session(rdb, token) is None
        db = await rdb.session()
        revoked = await db.scalar(
            text("SELECT revoked_at IS NOT NULL FROM user_session WHERE user_id = :u"), {"u": user.id}
        )
        assert revoked is True


async def test_an_inactive_user_has_no_session(database: Database) -> None:
    async with database.session() as db:
        user = User(email=f"inactive.{uuid.uuid4().hex[:8]}@example.com", name="Inactiva", is_active=False)
        db.add(user)
        await db.flush()
        token, _row = await start_session(db, user_id=user.id, days=1)
        await db.commit()
    async with _request_db(database) as rdb:
        assert await load_session(rdb, token) is None


async def test_the_request_commit_keeps_driver_writes_and_orm_changes_alike(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    by_driver, by_orm = uuid.uuid4(), uuid.uuid4()
    async with database.session(tenant_id=firm.tenant.id) as db:
        con = await driver(db)
        await con.execute(INSERT_COMPANY_SQL, firm.tenant.id, by_driver, "Driver SAC")
        await driver_commit(db)  # nothing pending in the ORM: committed on the driver
    async with database.session(tenant_id=firm.tenant.id) as db:
        await driver(db)
        db.add(
            Company(
                id=by_orm,
                tenant_id=firm.tenant.id,
                name="ORM SAC",
                country="PE",
                industry_section="G",
                size_band="micro",
            )
        )
        await driver_commit(db)  # a pending object: the ORM's own commit flushes it
    async with database.session(tenant_id=firm.tenant.id) as db:
        names = set((await db.scalars(select(Company.name).where(Company.id.in_([by_driver, by_orm])))).all())
    assert names == {"Driver SAC", "ORM SAC"}


async def test_the_session_look_up_of_a_firm_page_brings_the_role_only_for_a_member(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    member, stranger = firm.users[Role.PARTNER], other.users[Role.OWNER]
    tokens = {}
    async with database.session() as db:
        for user in (member, stranger):
            tokens[user.id], _row = await start_session(db, user_id=user.id, days=1)
        await db.commit()

    async with _request_db(database) as rdb:
        await rdb.session()
        found = await load_session_in_firm(rdb, tokens[member.id], firm.tenant.id)
        assert found is not None and found[1] is not None and found[1].id == member.id
        assert found[2] == Role.PARTNER.name
        found = await load_session_in_firm(rdb, tokens[stranger.id], firm.tenant.id)
        assert found is not None and found[2] is None, "a stranger's session loads, with no role in this firm"
        con = await rdb.con()
        assert (await con.fetchval("SELECT current_setting('app.tenant_id', true)")) in (None, "")
        assert await load_session_in_firm(rdb, "not-a-token", firm.tenant.id) is None


async def test_a_stranger_gets_404_on_a_firm_page_whose_firm_is_cached(new_client: Any, database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    owner, stranger = await new_client(), await new_client()
    await owner.login(firm.users[Role.OWNER].email, PASSWORD)
    assert (await owner.get(f"/w/{firm.tenant.slug}/companies")).status_code == 200  # the firm is cached now
    await stranger.login(other.users[Role.OWNER].email, PASSWORD)
    for path in ("", "/companies", "/members", "/assessments"):
        assert (await stranger.get(f"/w/{firm.tenant.slug}{path}")).status_code == 404, path
    assert (await stranger.get(f"/w/{other.tenant.slug}/companies")).status_code == 200
    assert (await owner.get(f"/w/{firm.tenant.slug}/members")).status_code == 200


async def test_a_driver_write_inside_a_savepoint_goes_with_the_savepoints_rollback(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    kept, undone = uuid.uuid4(), uuid.uuid4()
    async with database.session(tenant_id=firm.tenant.id) as db:
        con = await driver(db)  # the root transaction's connection is cached from here on
        await con.execute(INSERT_COMPANY_SQL, firm.tenant.id, kept, "Antes SAC")
        savepoint = await db.begin_nested()
        con = await driver(db)
        await con.execute(INSERT_COMPANY_SQL, firm.tenant.id, undone, "Deshecha SAC")
        await savepoint.rollback()
        assert await db.scalar(select(func.count()).select_from(Company)) == 1, "only the write before the savepoint"
        con = await driver(db)  # back in the root transaction, which is still open
        assert await con.fetchval("SELECT count(*) FROM company") == 1
        await driver_commit(db)
    async with database.session(tenant_id=firm.tenant.id) as db:
        assert set((await db.scalars(select(Company.id))).all()) == {kept}


async def test_an_orm_transaction_sends_begin_and_the_firm_context_in_one_round_trip(
    database: Database, migrated: Settings
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, firm.tenant.id, "Mine SAC")
    await add_company(database, other.tenant.id, "Theirs SAC")
    sent: list[str] = []
    # One pooled connection, so that the transaction watched runs on the connection listened to.
    database = Database.connect(dataclasses.replace(migrated, db_pool_size=1))
    async with database.session(tenant_id=firm.tenant.id) as db:
        con = await (await db.connection()).get_raw_connection()
        con.driver_connection.add_query_logger(lambda record: sent.append(" ".join(str(record.query).split())))
        await db.rollback()  # the logger is on; the next transaction is the one watched
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon, not at once
        sent.clear()
        assert await db.scalar(select(func.count()).select_from(Company)) == 1, "RLS sees the firm's rows only"
        for _ in range(200):  # asyncpg hands records to its loggers a few loop turns later
            if any(q.startswith("SELECT count") for q in sent):
                break
            await asyncio.sleep(0.005)
        begins = [q for q in sent if q.startswith("BEGIN")]
        assert len(begins) == 1, sent
        assert begins[0].startswith("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL app.tenant_id = '")
        assert str(firm.tenant.id) in begins[0]
        assert [q for q in sent if "app.tenant_id" in q] == begins, "no separate round trip for the context"

        kept = uuid.uuid4()
        await (await driver(db)).execute(INSERT_COMPANY_SQL, firm.tenant.id, kept, "Rolled back SAC")
        await db.rollback()
        assert await db.scalar(select(func.count()).select_from(Company).where(Company.id == kept)) == 0
        await (await driver(db)).execute(INSERT_COMPANY_SQL, firm.tenant.id, kept, "Kept SAC")
        await db.commit()
    async with database.session(tenant_id=firm.tenant.id) as db:
        assert await db.scalar(select(Company.name).where(Company.id == kept)) == "Kept SAC"
    async with database.session() as db:  # no firm: no context, so nothing visible
        assert await db.scalar(select(func.count()).select_from(Company)) == 0
    await database.engine.dispose()
