"""A request's database work: the driver for the hot path, an ORM session for the rest.

Every request asks "who is calling" and most ask "which firm"; the autosave does nothing else
but one check and one write. Those statements go to asyncpg directly, on a connection checked
out of the engine's pool (benchmarked: SQLAlchemy's session machinery was a fifth of an
autosave's CPU). Everything else uses an ORM session, created on first use.

Rules that keep the two honest:

* One pooled connection at a time. Before the ORM session is created, the driver connection
  goes back to the pool, so a request never waits for a second connection while holding one
  (a full pool cannot deadlock). Once the session exists, the driver statements run inside the
  session's own transaction (:func:`ordena.db.driver.driver`).
* Reads on the driver before the session exists run in autocommit, each its own transaction;
  statements that need the firm's context set it themselves (``set_config(..., true)`` inside
  the statement) or run in :meth:`RequestDB.begin`.
* Writes on the driver happen in :meth:`RequestDB.begin`: ``BEGIN`` and the tenant context in
  one round trip. :meth:`RequestDB.enter` changes the firm, at once in an open transaction. Switching to the ORM with a driver transaction open is a programming error
  (the two would not commit together) and raises.
* The connection never goes back to the pool inside a transaction: :meth:`close` rolls back
  whatever was not committed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.util import greenlet_spawn

from ordena.db import driver as orm_driver
from ordena.db.engine import Database, apply_context_now, context_sql, set_context


class RequestDB:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None
        self._fairy: Any = None  # SQLAlchemy's pooled connection, while the driver holds one
        self._in_transaction = False
        self.tenant_id: UUID | None = None
        self.user_id: UUID | None = None

    # --- context ---------------------------------------------------------------------------

    async def enter(self, *, tenant_id: UUID | None, user_id: UUID | None, applied: bool = False) -> None:
        """The firm (and user) of this request's transactions from now on, and of the one open
        now, as :func:`ordena.tenancy.services.enter_firm` does for a session: written at once
        into an open transaction (the driver's or the ORM session's), otherwise with the next
        BEGIN. ``applied``: the caller's own statement already wrote it into the open one."""
        self.tenant_id, self.user_id = tenant_id, user_id
        if self._session is not None:
            set_context(self._session, tenant_id=tenant_id, user_id=user_id)
            if not applied and self._session.in_transaction():
                await apply_context_now(self._session)
        elif self._in_transaction and not applied:
            await self._fairy.driver_connection.execute(self._context_sql())

    def _context_sql(self) -> str:
        return context_sql(self.tenant_id, self.user_id)

    # --- the driver ------------------------------------------------------------------------

    async def con(self) -> asyncpg.Connection:
        """The asyncpg connection: the ORM session's (inside its transaction) once it exists,
        otherwise one checked out for the driver (autocommit unless :meth:`begin` was called)."""
        if self._session is not None:
            return await orm_driver.driver(self._session)
        if self._fairy is None:
            self._fairy = await self._database.engine.raw_connection()
        connection: asyncpg.Connection = self._fairy.driver_connection
        return connection

    async def begin(self) -> asyncpg.Connection:
        """The driver inside a transaction carrying the request's firm context."""
        if self._session is not None:
            return await orm_driver.driver(self._session)
        con = await self.con()
        if not self._in_transaction:
            # Simple-query protocol: BEGIN and both settings in one round trip.
            await con.execute("BEGIN; " + self._context_sql())
            self._in_transaction = True
        return con

    # --- the ORM ---------------------------------------------------------------------------

    async def session(self) -> AsyncSession:
        """The request's ORM session (created on first use, with the request's context)."""
        if self._session is None:
            if self._in_transaction:
                raise RuntimeError("a driver transaction is open: commit it before using the ORM")
            await self._release()
            session = self._database.sessionmaker()
            set_context(session, tenant_id=self.tenant_id, user_id=self.user_id)
            self._session = session
        return self._session

    # --- the end ---------------------------------------------------------------------------

    async def commit(self) -> None:
        if self._session is not None:
            await orm_driver.commit(self._session)
        elif self._in_transaction:
            # Still "in a transaction" while COMMIT runs: if it fails (the server went away),
            # the release below rolls back or, failing that, drops the connection.
            status = await self._fairy.driver_connection.execute("COMMIT")
            self._in_transaction = False
            if status != "COMMIT":  # PostgreSQL answers ROLLBACK to COMMIT in a failed transaction
                raise RuntimeError(f"the transaction was rolled back ({status})")
        await self._release()

    async def rollback(self) -> None:
        if self._session is not None:
            # Detach first: a rollback would expire every loaded object, and the error page or
            # the re-rendered form still reads them (no lazy loads are possible while rendering).
            self._session.expunge_all()
            await self._session.rollback()
        await self._release()  # rolls back an open driver transaction

    async def close(self) -> None:
        await self._release()
        if self._session is not None:
            await self._session.close()

    async def _release(self) -> None:
        if self._fairy is None:
            return
        fairy, self._fairy = self._fairy, None
        in_transaction, self._in_transaction = self._in_transaction, False
        connection = fairy.driver_connection
        reusable = not connection.is_closed()
        if reusable and in_transaction:
            try:
                await connection.execute("ROLLBACK")
            except Exception:
                # The server went away, or an operation was cut mid-way (a cancelled request):
                # such a connection must never go back to the pool.
                reusable = False
            except BaseException:  # cancelled while rolling back: drop it, then go on cancelling
                await greenlet_spawn(fairy.invalidate)
                raise
        if reusable:
            # No transaction is open and none was begun through SQLAlchemy, so the pool's
            # reset on return sends nothing: the check-in does no I/O and needs no greenlet.
            fairy.close()
        else:
            # Lost (server restart, network) or unusable: the pool replaces it.
            await greenlet_spawn(fairy.invalidate)
            if connection.is_closed():
                # The server went away: so did every other pooled connection. Start a new pool
                # (as SQLAlchemy does for a disconnect it sees) instead of failing one request
                # per stale connection; connections checked out now are dropped when returned.
                await self._database.engine.dispose(close=False)
