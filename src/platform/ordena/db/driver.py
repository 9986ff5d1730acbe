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

# (the ORM transaction, its asyncpg connection, SQLAlchemy's adapter of it), in session.info
_KEY = "_driver_connection"


async def driver(db: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection of ``db``'s transaction, begun if it was not yet.

    ``db.connection()`` begins the ORM transaction (and the ``after_begin`` hook writes the
    tenant context when one is known). SQLAlchemy's asyncpg adapter sends ``BEGIN`` lazily,
    with the first statement; when no statement went through it yet, it is started here through
    the adapter, so that the ORM's later COMMIT/ROLLBACK still ends it.
    """
    cached = db.info.get(_KEY)
    transaction = db.sync_session.get_transaction()
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
    db.info[_KEY] = (db.sync_session.get_transaction(), connection, adapted)
    return connection


async def commit(db: AsyncSession) -> None:
    """Commit ``db``'s transaction; when the ORM has nothing to flush, straight on the driver.

    Profiled: the ORM's commit machinery was a tenth of an autosave whose writes all went
    through the driver. The ORM's session is then closed, which hands the connection back to
    the pool (the adapter knows its transaction is over, so the pool's reset sends nothing).
    """
    cached = db.info.get(_KEY)
    transaction = db.sync_session.get_transaction()
    pending = db.new or db.dirty or db.deleted
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
