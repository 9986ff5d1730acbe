"""One database session per request, created on first use and closed when the response ends.

The access guard, the auth middleware and the handler all share it, so a request holds a single
pooled connection. The ``db`` dependency commits when the handler returns normally and rolls
back when it raises (including :class:`ordena.web.forms.FormError`), before the response is sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.db.engine import Database

_KEY = "_ordena_db_session"


def request_db(connection: Any) -> AsyncSession:
    state = connection.scope.setdefault("state", {})
    session: AsyncSession | None = state.get(_KEY)
    if session is None:
        database: Database = connection.app.state.database
        session = database.sessionmaker()
        state[_KEY] = session
    return session


async def provide_db(request: Request[Any, Any, State]) -> AsyncGenerator[AsyncSession, None]:
    session = request_db(request)
    try:
        yield session
    except Exception:
        # Detach first: a rollback would expire every loaded object, and the error page or the
        # re-rendered form still reads them (no lazy loads are possible while rendering).
        session.expunge_all()
        await session.rollback()
        raise
    else:
        wrote_jobs = session.info.pop("outbox_pending", False)
        await session.commit()
        if wrote_jobs:
            jobs = request.app.state.get("jobs")
            if jobs is not None:
                jobs.wake()


def db_session_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        finally:
            session = scope.get("state", {}).pop(_KEY, None)
            if session is not None:
                await session.close()

    return middleware
