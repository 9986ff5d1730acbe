"""Engines, session makers and the per-transaction tenant context.

The app engine logs in as the restricted role. Each session carries the current firm and user
in ``session.info``; at the start of every transaction they are written with
``set_config(..., is_local => true)`` so they vanish at commit and never leak to the next
borrower of a pooled connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from ordena.db.urls import app_url, owner_url
from ordena.settings import Settings

_SET_CONTEXT = text("SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)")


def context_sql(tenant: UUID | None, user: UUID | None) -> str:
    """The statements writing the firm and user into the transaction's context, as literals
    (sent inside a transaction: with BEGIN, or into an open one). The values are UUIDs rendered
    by Python (hex digits and dashes only), never user text. ``SET LOCAL`` is what
    ``set_config(…, true)`` does, as utility statements: nothing to plan and no row to send back
    (measured: the SELECT of two set_config calls was most of the RLS overhead of a small page)."""
    t = "" if tenant is None else str(UUID(str(tenant)))
    u = "" if user is None else str(UUID(str(user)))
    return f"SET LOCAL app.tenant_id = '{t}'; SET LOCAL app.user_id = '{u}'"


class _BegunWithContext:
    """Stands for asyncpg's ``Transaction`` in SQLAlchemy's asyncpg adapter when BEGIN went out
    together with the tenant context (one simple-query round trip): commits and rolls back the
    same way (asyncpg's own sends these two statements too)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def commit(self) -> None:
        await self._connection.execute("COMMIT")

    async def rollback(self) -> None:
        await self._connection.execute("ROLLBACK")


@event.listens_for(Session, "after_begin")
def _set_tenant_context(session: Session, transaction: Any, connection: Any) -> None:
    tenant = session.info.get("tenant_id")
    user = session.info.get("user_id")
    if tenant is None and user is None:
        return  # nothing to set: the settings stay empty, which RLS reads as "no rows"
    adapted = connection.connection.dbapi_connection
    # SQLAlchemy's asyncpg adapter sends BEGIN lazily with the first statement. When it has not
    # yet (always, at after_begin), BEGIN goes now with the context in the same round trip
    # (benchmarked: the separate set_config was +9 % to +32 % per transaction). Pinned
    # SQLAlchemy < 2.1: the adapter's private flags; tests/integration/tenancy/test_driver_hot_path.py.
    plain = adapted.isolation_level in (None, "read_committed") and not adapted.readonly and not adapted.deferrable
    if plain and not adapted._started:
        raw = adapted._connection
        try:
            adapted.await_(raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED; " + context_sql(tenant, user)))
        except Exception as error:
            adapted._handle_exception(error)  # as the adapter's own BEGIN: SQLAlchemy's error types
        adapted._transaction, adapted._started = _BegunWithContext(raw), True
        return
    connection.execute(
        _SET_CONTEXT,
        {"tenant": str(tenant) if tenant else "", "user": str(user) if user else ""},
    )


def set_context(session: AsyncSession, *, tenant_id: UUID | None, user_id: UUID | None = None) -> None:
    """Bind ``session`` to a firm (and user); takes effect from its next transaction."""
    session.info["tenant_id"] = tenant_id
    session.info["user_id"] = user_id


async def apply_context_now(session: AsyncSession) -> None:
    """Re-apply the context inside an already open transaction (after ``set_context``)."""
    tenant = session.info.get("tenant_id")
    user = session.info.get("user_id")
    await session.execute(_SET_CONTEXT, {"tenant": str(tenant) if tenant else "", "user": str(user) if user else ""})


def make_engine(url: URL, *, pool_size: int = 10, max_overflow: int | None = None, **kw: Any) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        # No ping before each checkout (a round trip on every request); connections are
        # recycled instead, and a dead one fails one request that the client retries.
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "ordena"}},
        **kw,
    )


@dataclass
class Database:
    """The app engine (restricted role) and its session maker."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, settings: Settings) -> Database:
        # No overflow: beyond the pool a request waits for a connection. Overflow connections
        # are closed as soon as they are returned, so under steady load above the pool size
        # every request paid a fresh connect (benchmarked: a third of the autosave throughput
        # at 32 clients).
        engine = make_engine(app_url(settings, owner_url(settings)), pool_size=settings.db_pool_size, max_overflow=0)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def session(
        self, *, tenant_id: UUID | None = None, user_id: UUID | None = None
    ) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            set_context(session, tenant_id=tenant_id, user_id=user_id)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
