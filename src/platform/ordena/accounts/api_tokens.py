"""Personal API tokens: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import queries
from ordena.accounts.models import ApiToken, User
from ordena.lib.clock import now
from ordena.lib.tokens import digest, new_secret

PREFIX = "ord_"


async def create(db: AsyncSession, user_id: UUID, name: str) -> tuple[str, ApiToken]:
    secret = PREFIX + new_secret(32)
    row = ApiToken(user_id=user_id, name=name[:100], prefix=secret[:12], token_hash=digest(secret))
    db.add(row)
    await db.flush()
    return secret, row


async def authenticate(db: AsyncSession, secret: str) -> User | None:
    if not secret.startswith(PREFIX):
        return None
    found = await queries.api_token_and_user(db, token_hash=digest(secret))
    if found is None:
        return None
    token, user = found
    # At most one write a minute per token: a read-only API call should not queue on a row lock.
    current = now()
    if token.last_used_at is None or current - token.last_used_at > dt.timedelta(minutes=1):
        await queries.touch_api_token(db, token=token, at=current)
    return user


async def list_for_user(db: AsyncSession, user_id: UUID) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
    return list((await db.scalars(stmt)).all())


async def revoke(db: AsyncSession, user_id: UUID, token_id: UUID) -> bool:
    token = await db.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = now()
    return True
