"""Telling "the database is away" (a restart, a failover, a network cut) from a bug.

The web edge answers the first with 503 and a ``Retry-After`` hint instead of a 500 page; jobs
let the broker retry it. The pool needs no help to recover: SQLAlchemy invalidates the pool on
a disconnect seen through the ORM, and the request's driver connection is replaced when it comes
back closed (:mod:`ordena.db.request_db`).
"""

from __future__ import annotations

import errno

import asyncpg
from sqlalchemy import exc as sa_exc

RETRY_AFTER_SECONDS = 5

# asyncpg's errors for a connection that is gone or a server that refuses work for now:
# 08xxx (connection exceptions), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
_GONE = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionError,  # refused, reset, aborted, broken pipe
)
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT}


def _one(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came back in time
        return True
    if isinstance(exc, _GONE):
        return True
    if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
        return True  # "connection is closed": used after the server went away
    if isinstance(exc, asyncpg.InternalClientError) and "another operation (2)" in str(exc):
        # An idle pooled connection still consuming the server's goodbye (57P01, state 2 =
        # error consume) when the next request used it: the server is going away.
        return True
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached right now."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _one(current):
            return True
        causes = [current.__cause__, current.__context__]
        if isinstance(current, sa_exc.DBAPIError):
            causes.append(current.orig if isinstance(current.orig, BaseException) else None)
        todo.extend(c for c in causes if c is not None)
    return False
