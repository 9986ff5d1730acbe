"""Server-side, revocable browser sessions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import instance_state

from ordena.accounts.models import User, UserSession
from ordena.db.request_db import RequestDB, driver_of
from ordena.lib.clock import now
from ordena.lib.tokens import digest, new_secret

_M = TypeVar("_M")


@dataclass
class Auth:
    """Who is making the request."""

    user: User | None = None
    session: UserSession | None = None
    via_api_token: bool = False
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def is_user(self) -> bool:
        return self.user is not None

    @property
    def contact(self) -> dict[str, Any] | None:
        """The client-contact scope of a magic-link session, if that is what this is."""
        return self.scope if self.scope.get("kind") == "contact" else None


async def start_session(
    db: AsyncSession,
    *,
    user_id: UUID | None,
    days: int,
    scope: dict[str, Any] | None = None,
    user_agent: str = "",
    replace: UserSession | None = None,
) -> tuple[str, UserSession]:
    """A new session id (at login and at every privilege change); the old one is revoked."""
    if replace is not None:
        await revoke(db, replace)
    token = new_secret()
    row = UserSession(
        token_hash=digest(token),
        user_id=user_id,
        scope=scope or {},
        csrf_token=new_secret(24),
        expires_at=now() + dt.timedelta(days=days),
        user_agent=user_agent[:300],
    )
    db.add(row)
    await db.flush()
    return token, row


def _columns(model: type[Any]) -> list[tuple[str, str]]:
    """(attribute, column) of every mapped column, in mapper order."""
    return [(attr.key, attr.columns[0].name) for attr in sa_inspect(model).column_attrs]


_SESSION_COLUMNS = _columns(UserSession)
_USER_COLUMNS = _columns(User)
_SCOPE_AT = [key for key, _column in _SESSION_COLUMNS].index("scope")
_USER_ID_AT = [key for key, _column in _USER_COLUMNS].index("id")
_USER_ACTIVE_AT = [key for key, _column in _USER_COLUMNS].index("is_active")

# Runs on every request with a session cookie, straight on the driver (see ordena.db.request_db).
_LOAD_SESSION_SQL = (
    "SELECT "
    + ", ".join(f's."{column}"' for _key, column in _SESSION_COLUMNS)
    + ", "
    + ", ".join(f'u."{column}"' for _key, column in _USER_COLUMNS)
    + " FROM user_session s LEFT JOIN user_account u ON u.id = s.user_id"
    " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
)


# The same, plus the caller's role in the firm the URL names, in one round trip (firm pages:
# the guard then skips its own look-up). The caller's user id goes into the statement's
# context first (a user may read their own membership rows); each materialized CTE reads the
# one before it, so they run in order. The context is the statement's own (autocommit).
_LOAD_SESSION_AND_ROLE_SQL = (
    "WITH found AS MATERIALIZED ("
    + _LOAD_SESSION_SQL.replace("SELECT ", "SELECT s.user_id AS member_id, u.is_active AS member_active, ", 1)
    + "), ctx AS MATERIALIZED ("
    " SELECT set_config('app.user_id', CASE WHEN member_active THEN member_id::text ELSE '' END, true) AS member"
    " FROM found)"
    " SELECT found.*, (SELECT m.role FROM membership m WHERE m.tenant_id = $3 AND m.user_id::text = ctx.member)"
    " FROM found, ctx"
)


def _detached(model: type[_M], columns: list[tuple[str, str]], values: Any) -> _M:
    """An ORM object built from a row the way the ORM's own loading does (values straight into
    the instance's dict, no constructor, no change history) and given its identity: detached,
    as if loaded by a session since closed. Read it freely; a change is saved with a statement
    (see :func:`revoke`). Profiled: the constructor and ``make_transient_to_detached`` cost a
    tenth of an autosave."""
    mapper: Any = sa_inspect(model)
    obj: _M = mapper.class_manager.new_instance()
    obj.__dict__.update({key: value for (key, _column), value in zip(columns, values, strict=True)})
    # Every column is in the dict and nothing is changed: the identity is all that
    # make_transient_to_detached would add.
    instance_state(obj).key = mapper.identity_key_from_primary_key([obj.__dict__["id"]])
    return obj


async def load_session(db: AsyncSession | RequestDB, token: str) -> tuple[UserSession, User | None] | None:
    con = await driver_of(db)
    row = await con.fetchrow(_LOAD_SESSION_SQL, digest(token), now())
    return None if row is None else _loaded(list(row.values()))


async def load_session_in_firm(
    db: AsyncSession | RequestDB, token: str, firm_id: UUID
) -> tuple[UserSession, User | None, str | None] | None:
    """:func:`load_session` and the user's role (its stored name) in the firm ``firm_id``."""
    con = await driver_of(db)
    row = await con.fetchrow(_LOAD_SESSION_AND_ROLE_SQL, digest(token), now(), firm_id)
    if row is None:
        return None
    values = list(row.values())
    loaded = _loaded(values[2:-1])  # after member_id, member_active; before the role
    return None if loaded is None else (*loaded, values[-1])


def _loaded(values: list[Any]) -> tuple[UserSession, User | None] | None:
    n = len(_SESSION_COLUMNS)
    session_values, user_values = values[:n], values[n : n + len(_USER_COLUMNS)]
    if isinstance(session_values[_SCOPE_AT], str):  # SQLAlchemy's codec hands JSON over as text
        session_values[_SCOPE_AT] = json.loads(session_values[_SCOPE_AT])
    user: User | None = None
    if user_values[_USER_ID_AT] is not None:  # a contact's session has no user
        if not user_values[_USER_ACTIVE_AT]:
            return None
        user = _detached(User, _USER_COLUMNS, user_values)
    session = _detached(UserSession, _SESSION_COLUMNS, session_values)
    return session, user


async def revoke(db: AsyncSession, session: UserSession) -> None:
    # A statement, not a change to the object: the request's session object is a detached copy.
    session.revoked_at = now()
    await db.execute(update(UserSession).where(UserSession.id == session.id).values(revoked_at=session.revoked_at))


async def revoke_all_for_user(db: AsyncSession, user_id: UUID) -> None:
    await db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
