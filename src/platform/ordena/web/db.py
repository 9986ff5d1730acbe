"""The request's database work (:class:`ordena.db.request_db.RequestDB`), created on first use
and closed when the response ends.

The auth middleware, the access guard and the handler all share it, so a request holds a single
pooled connection at a time. The ``db`` dependency is the request's ORM session; it commits when
the handler returns normally and rolls back when it raises (including
:class:`ordena.web.forms.FormError`), before the response is sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.db.engine import Database
from ordena.db.request_db import RequestDB

_KEY = "_ordena_request_db"


def request_db(connection: Any) -> RequestDB:
    state = connection.scope.setdefault("state", {})
    found: RequestDB | None = state.get(_KEY)
    if found is None:
        database: Database = connection.app.state.database
        found = RequestDB(database)
        state[_KEY] = found
    return found


async def provide_db(request: Request[Any, Any, State]) -> AsyncGenerator[AsyncSession, None]:
    rdb = request_db(request)
    session = await rdb.session()
    try:
        yield session
    except Exception:
        await rdb.rollback()
        raise
    else:
        wrote_jobs = session.info.pop("outbox_pending", False)
        await rdb.commit()
        if wrote_jobs:
            wake_jobs(request)


def wake_jobs(request: Request[Any, Any, State]) -> None:
    """Relay the outbox at once (the jobs a request wrote are committed by now)."""
    jobs = request.app.state.get("jobs")
    if jobs is not None:
        jobs.wake()


async def close_request_db(state: dict[str, Any]) -> None:
    """End the request's database work (after the response; see ordena.web.plumbing)."""
    rdb = state.pop(_KEY, None)
    if rdb is not None:
        await rdb.close()
