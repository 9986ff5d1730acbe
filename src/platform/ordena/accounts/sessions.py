"""Server-side, revocable browser sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User, UserSession
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
        replace.revoked_at = now()
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


# Built once (runs on every request): a module-level statement keeps its cache key.
_LOAD_SESSION = (
    select(UserSession, User)
    .outerjoin(User, User.id == UserSession.user_id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.revoked_at.is_(None),
        UserSession.expires_at > bindparam("now"),
    )
)


async def load_session(db: AsyncSession, token: str) -> tuple[UserSession, User | None] | None:
    row = (await db.execute(_LOAD_SESSION, {"token_hash": digest(token), "now": now()})).first()
    if row is None:
        return None
    session, user = row
    if user is not None and not user.is_active:
        return None
    return session, user


async def revoke(db: AsyncSession, session: UserSession) -> None:
    session.revoked_at = now()
    await db.flush()


async def revoke_all_for_user(db: AsyncSession, user_id: UUID) -> None:
    await db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
