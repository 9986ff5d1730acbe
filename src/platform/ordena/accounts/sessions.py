"""Server-side, revocable browser sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import queries
from ordena.accounts.models import User, UserSession
from ordena.db.request_db import RequestDB
from ordena.lib.clock import now
from ordena.lib.tokens import digest, new_secret


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


async def load_session(rdb: RequestDB, token: str) -> tuple[UserSession, User | None] | None:
    """The live session of a cookie's token and its user (detached copies, read on the driver)."""
    return await queries.session_by_token(await rdb.con(), token_hash=digest(token), at=now())


async def load_session_in_firm(
    rdb: RequestDB, token: str, firm_id: UUID
) -> tuple[UserSession, User | None, str | None] | None:
    """:func:`load_session` and the user's role (its stored name) in the firm ``firm_id``."""
    return await queries.session_and_role_by_token(
        await rdb.con(), token_hash=digest(token), at=now(), tenant_id=firm_id
    )


async def keep_idle_session_alive(db: AsyncSession, session: UserSession, days: int) -> None:
    """Push an idle-expiring session (a client contact's) to ``days`` from now, at most once a
    day, in its own committed statement (a read-only page must not queue on the row)."""
    current = now()
    wanted = current + dt.timedelta(days=days)
    if wanted - session.expires_at < dt.timedelta(days=1):
        return
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        await conn.execute(
            update(UserSession)
            .where(UserSession.id == session.id, UserSession.revoked_at.is_(None))
            .values(expires_at=wanted, updated_at=current)
        )
        await conn.commit()
    session.expires_at = wanted


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
