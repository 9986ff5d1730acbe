"""A request's database work on the driver: transactions end where they should, the firm's
context holds inside them, and a pooled connection never goes back with a transaction open."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from ordena.companies.models import Company
from ordena.db.engine import Database
from ordena.db.request_db import RequestDB
from ordena.tenancy.models import Role
from tests.factories import INSERT_COMPANY_SQL, add_company, make_firm

INSERT = INSERT_COMPANY_SQL


async def _names(database: Database, tenant_id: uuid.UUID) -> set[str]:
    async with database.session(tenant_id=tenant_id) as db:
        return set((await db.scalars(select(Company.name))).all())


async def test_a_write_in_begin_is_kept_by_commit_and_sees_only_its_firm(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, other.tenant.id, "Ajena SAC")
    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    con = await rdb.begin()
    await con.execute(INSERT, firm.tenant.id, uuid.uuid4(), "Propia SAC")
    assert await con.fetchval("SELECT count(*) FROM company") == 1, "only this firm's rows under the context"
    with pytest.raises(Exception, match="row-level security"):
        await con.execute(INSERT, other.tenant.id, uuid.uuid4(), "Intrusa SAC")
    await rdb.rollback()
    await rdb.close()
    assert await _names(database, firm.tenant.id) == set()

    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    con = await rdb.begin()
    await con.execute(INSERT, firm.tenant.id, uuid.uuid4(), "Propia SAC")
    await rdb.commit()
    await rdb.close()
    assert await _names(database, firm.tenant.id) == {"Propia SAC"}
    assert await _names(database, other.tenant.id) == {"Ajena SAC"}


async def test_a_request_that_ends_without_commit_loses_its_writes_and_returns_a_clean_connection(
    database: Database, one_connection_database: Database
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    rdb = RequestDB(one_connection_database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    con = await rdb.begin()
    backend = await con.fetchval("SELECT pg_backend_pid()")
    await con.execute(INSERT, firm.tenant.id, uuid.uuid4(), "Perdida SAC")
    await rdb.close()  # the handler raised: the middleware only closes
    assert await _names(database, firm.tenant.id) == set()
    # Whoever borrows the connection next finds no transaction and no firm context.
    for _ in range(3):
        later = RequestDB(one_connection_database)
        con = await later.con()
        assert await con.fetchval("SELECT pg_backend_pid()") == backend, "the same pooled connection"
        assert not con.is_in_transaction()
        assert (await con.fetchval("SELECT current_setting('app.tenant_id', true)")) in (None, "")
        await later.close()


async def test_the_orm_session_refuses_to_start_while_a_driver_transaction_is_open(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    await rdb.begin()
    with pytest.raises(RuntimeError, match="driver transaction"):
        await rdb.session()
    await rdb.close()


async def test_after_driver_reads_the_orm_session_carries_the_firm_context(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, firm.tenant.id, "Vista SAC")
    rdb = RequestDB(database)
    con = await rdb.con()
    assert await con.fetchval("SELECT count(*) FROM company") == 0, "no context yet: no rows"
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    session = await rdb.session()
    assert await session.scalar(select(func.count()).select_from(Company)) == 1
    assert (await rdb.con()) is (await rdb.con()), "inside the ORM transaction, one connection"
    await rdb.commit()
    await rdb.close()


async def test_a_commit_that_postgresql_turned_into_a_rollback_is_an_error(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    con = await rdb.begin()
    with pytest.raises(Exception, match="division by zero"):
        await con.fetchval("SELECT 1 / 0")
    with pytest.raises(RuntimeError, match="rolled back"):
        await rdb.commit()
    await rdb.close()


async def test_entering_another_firm_inside_an_open_driver_transaction_switches_its_context(
    database: Database,
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, other.tenant.id, "Otra SAC")
    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    con = await rdb.begin()
    assert await con.fetchval("SELECT count(*) FROM company") == 0
    await rdb.enter(tenant_id=other.tenant.id, user_id=None)
    assert await con.fetchval("SELECT current_setting('app.tenant_id', true)") == str(other.tenant.id)
    assert await con.fetchval("SELECT count(*) FROM company") == 1, "the other firm's rows, as the ORM path would"
    await rdb.close()


async def test_entering_another_firm_inside_an_open_orm_transaction_switches_its_context(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, other.tenant.id, "Otra SAC")
    rdb = RequestDB(database)
    await rdb.enter(tenant_id=firm.tenant.id, user_id=None)
    session = await rdb.session()
    assert await session.scalar(select(func.count()).select_from(Company)) == 0
    await rdb.enter(tenant_id=other.tenant.id, user_id=None)
    assert await session.scalar(select(func.count()).select_from(Company)) == 1
    con = await rdb.con()
    assert await con.fetchval("SELECT current_setting('app.tenant_id', true)") == str(other.tenant.id)
    await rdb.close()
