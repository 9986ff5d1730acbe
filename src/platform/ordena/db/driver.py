"""The asyncpg connection under an ORM session's transaction, for the hot statements that run
where a session is already open (``RequestDB`` uses it once its session exists).

Benchmarked (docs/benchmarks.md): SQLAlchemy's execution layer was a third of an autosave's
CPU. Statements sent here run inside the same transaction as the ORM's, with the same tenant
context, so row-level security applies exactly as it does to ORM statements; they skip only
SQLAlchemy's compilation and result processing. Everything else keeps using the ORM.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import SessionTransaction

# (the ORM transaction, its asyncpg connection, SQLAlchemy's adapter of it), in session.info
_KEY = "_driver_connection"


def _innermost(db: AsyncSession) -> SessionTransaction | None:
    """The transaction statements belong to now: the open savepoint, else the root."""
    sync = db.sync_session
    return sync.get_nested_transaction() or sync.get_transaction()


async def driver(db: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection of ``db``'s transaction, begun if it was not yet.

    ``db.connection()`` begins the ORM transaction (and the ``after_begin`` hook writes the
    tenant context when one is known). SQLAlchemy's asyncpg adapter sends ``BEGIN`` lazily,
    with the first statement; when no statement went through it yet, it is started here through
    the adapter, so that the ORM's later COMMIT/ROLLBACK still ends it.

    Cached per innermost transaction: inside ``db.begin_nested()`` the ORM sends its SAVEPOINT
    only when the savepoint first asks for the connection, so a new savepoint asks again here
    (otherwise a driver write would escape the savepoint's rollback).
    """
    cached = db.info.get(_KEY)
    transaction = _innermost(db)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    conn = await db.connection()
    fairy = await conn.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    # Pinned SQLAlchemy < 2.1 (pyproject): the adapter's transaction flag and starter are
    # private; tests/integration/tenancy/test_driver_hot_path.py fails if they change.
    if not adapted._started:
        await adapted._start_transaction()
    connection: asyncpg.Connection = fairy.driver_connection
    db.info[_KEY] = (_innermost(db), connection, adapted)
    return connection


async def commit(db: AsyncSession) -> None:
    """Commit ``db``'s transaction; when the ORM has nothing to flush, straight on the driver.

    Profiled: the ORM's commit machinery was a tenth of an autosave whose writes all went
    through the driver. The ORM's session is then closed, which hands the connection back to
    the pool (the adapter knows its transaction is over, so the pool's reset sends nothing).
    With a savepoint open, the ORM's own commit releases it and commits.
    """
    cached = db.info.get(_KEY)
    transaction = db.sync_session.get_transaction()
    pending = db.new or db.dirty or db.deleted or db.sync_session.get_nested_transaction()
    if cached is None or transaction is None or cached[0] is not transaction or pending:
        await db.commit()
        return
    adapted: Any = cached[2]
    if adapted._started:
        try:
            await adapted._transaction.commit()
        finally:
            adapted._transaction = None
            adapted._started = False
    await db.close()
