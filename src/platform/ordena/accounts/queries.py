"""The accounts' hand-written SQL, kept together (see docs/CONVENTIONS.md, "The request's
database work"). Each takes the connection it runs on first and the values by name: the
session look-ups run on the request's asyncpg connection; the token and rate-limit statements
on SQLAlchemy's, built from the mapped tables where they do what the ORM would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import bindparam, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ordena.accounts.models import ApiToken, LinkToken, RateLimit, User, UserSession
from ordena.db.detached import Detached
from ordena.tenancy.models import Membership

# --- browser sessions (every request with a session cookie, on the driver) --------------------

_SESSIONS = Detached(UserSession)
_USERS = Detached(User)
_SCOPE_AT = _SESSIONS.keys.index("scope")
_USER_ID_AT = _USERS.keys.index("id")
_USER_ACTIVE_AT = _USERS.keys.index("is_active")

SESSION_SQL = (
    "SELECT "
    + ", ".join(f's."{column}"' for column in _SESSIONS.columns)
    + ", "
    + ", ".join(f'u."{column}"' for column in _USERS.columns)
    + f" FROM {UserSession.__tablename__} s LEFT JOIN {User.__tablename__} u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
)

# The same, plus the caller's role in the firm the URL names, in one round trip (firm pages:
# the guard then skips its own look-up). The caller's user id goes into the statement's
# context first (a user may read their own membership rows); each materialized CTE reads the
# one before it, so they run in order. The context is the statement's own (autocommit).
SESSION_AND_ROLE_SQL = (
    "WITH found AS MATERIALIZED ("
    + SESSION_SQL.replace("SELECT ", "SELECT s.user_id AS member_id, u.is_active AS member_active, ", 1)
    + "), ctx AS MATERIALIZED ("
    " SELECT set_config('app.user_id', CASE WHEN member_active THEN member_id::text ELSE '' END, true) AS member"
    " FROM found)"
    f" SELECT found.*, (SELECT m.role FROM {Membership.__tablename__} m"
    " WHERE m.tenant_id = $3 AND m.user_id::text = ctx.member)"
    " FROM found, ctx"
)


async def session_by_token(
    con: asyncpg.Connection, *, token_hash: bytes, at: dt.datetime
) -> tuple[UserSession, User | None] | None:
    """The live session with this token hash and its user (detached; None for a contact's
    session); None when there is none or its user is inactive."""
    row = await con.fetchrow(SESSION_SQL, token_hash, at)
    return None if row is None else _loaded(list(row.values()))


async def session_and_role_by_token(
    con: asyncpg.Connection, *, token_hash: bytes, at: dt.datetime, tenant_id: UUID
) -> tuple[UserSession, User | None, str | None] | None:
    """:func:`session_by_token` and the user's stored role name in the firm ``tenant_id``."""
    row = await con.fetchrow(SESSION_AND_ROLE_SQL, token_hash, at, tenant_id)
    if row is None:
        return None
    values = list(row.values())
    loaded = _loaded(values[2:-1])  # after member_id, member_active; before the role
    return None if loaded is None else (*loaded, values[-1])


def _loaded(values: list[Any]) -> tuple[UserSession, User | None] | None:
    n = len(_SESSIONS.keys)
    session_values, user_values = values[:n], values[n : n + len(_USERS.keys)]
    if isinstance(session_values[_SCOPE_AT], str):  # SQLAlchemy's codec hands JSON over as text
        session_values[_SCOPE_AT] = json.loads(session_values[_SCOPE_AT])
    user: User | None = None
    if user_values[_USER_ID_AT] is not None:  # a contact's session has no user
        if not user_values[_USER_ACTIVE_AT]:
            return None
        user = _USERS.from_row(user_values)
    return _SESSIONS.from_row(session_values), user


# --- API tokens (every JSON API call with a bearer token, on the ORM session) ----------------

# The failed guesses counted for the caller's address this window ride along (one round trip):
# an address over the limit is refused even with a valid token.
_GUESSES = (
    select(RateLimit.count)
    .where(
        RateLimit.key == bindparam("guess_key"),
        RateLimit.window_start >= func.now() - func.make_interval(0, 0, 0, 0, 0, 0, bindparam("window")),
    )
    .scalar_subquery()
)
_TOKEN_AND_USER = (
    select(ApiToken, User, func.coalesce(_GUESSES, 0))
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > func.now()),
        User.is_active,
    )
)


async def api_token_and_user(
    db: AsyncSession, *, token_hash: bytes, guess_key: str = "", window: dt.timedelta = dt.timedelta(0)
) -> tuple[ApiToken, User, int] | None:
    """The live (not revoked, not expired) token with this hash, its active user, and the failed
    guesses counted under ``guess_key`` in the last ``window``."""
    params = {"token_hash": token_hash, "guess_key": guess_key, "window": window.total_seconds()}
    row = (await db.execute(_TOKEN_AND_USER, params)).first()
    return None if row is None else (row[0], row[1], int(row[2]))


async def touch_api_token(db: AsyncSession, *, token: ApiToken, at: dt.datetime) -> None:
    """Record a use of the token (also on the loaded object; ``updated_at`` as the ORM would)."""
    await db.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=at))


# --- rate limits (their own connection and commit: a rolled-back request still counts) -------

_RATE_LIMIT_HIT = text(
    """
    INSERT INTO rate_limit (id, key, window_start, count, created_at, updated_at)
    VALUES (gen_random_uuid(), :key, now(), 1, now(), now())
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit.window_start < now() - make_interval(secs => :window)
                   THEN 1 ELSE rate_limit.count + 1 END,
      window_start = CASE WHEN rate_limit.window_start < now() - make_interval(secs => :window)
                   THEN now() ELSE rate_limit.window_start END,
      updated_at = now()
    RETURNING count
    """
)


async def rate_limit_hit(conn: AsyncConnection, *, key: str, window: dt.timedelta) -> int:
    """One more attempt under ``key``: the attempts in the current window, this one included."""
    count = (await conn.execute(_RATE_LIMIT_HIT, {"key": key, "window": window.total_seconds()})).scalar_one()
    return int(count)


_RATE_LIMIT_COUNT = text(
    "SELECT count FROM rate_limit WHERE key = :key AND window_start >= now() - make_interval(secs => :window)"
)


async def rate_limit_count(conn: AsyncConnection | AsyncSession, *, key: str, window: dt.timedelta) -> int:
    """The attempts counted under ``key`` in the current window (0 when it is over)."""
    count = (await conn.execute(_RATE_LIMIT_COUNT, {"key": key, "window": window.total_seconds()})).scalar()
    return int(count or 0)


async def rate_limit_clear(conn: AsyncConnection, *, key: str) -> None:
    await conn.execute(delete(RateLimit).where(RateLimit.key == key))


# --- single-use links -----------------------------------------------------------------------


async def use_link(db: AsyncSession, token_hash: bytes) -> UUID | None:
    """Mark a usable link used in one statement (two clicks at once cannot both win); its id,
    or None when unknown, expired or already used."""
    stmt = (
        update(LinkToken)
        .where(LinkToken.token_hash == token_hash, LinkToken.used_at.is_(None), LinkToken.expires_at > func.now())
        .values(used_at=func.now(), updated_at=func.now())
        .returning(LinkToken.id)
        .execution_options(synchronize_session=False)
    )
    row_id: UUID | None = (await db.execute(stmt)).scalar_one_or_none()
    return row_id
