"""Personal API tokens: shown once, stored as SHA-256, expiring, revocable, and revoked all
together when their owner's password changes or is reset."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import queries
from ordena.accounts.models import ApiToken, User
from ordena.lib.clock import now
from ordena.lib.tokens import digest, new_secret

PREFIX = "ord_"
DEFAULT_DAYS = 90
# What the tokens page offers; None: no expiry.
EXPIRY_CHOICES: tuple[int | None, ...] = (30, 90, 180, 365, None)


async def create(
    db: AsyncSession, user_id: UUID, name: str, *, expires_in: dt.timedelta | None = dt.timedelta(days=DEFAULT_DAYS)
) -> tuple[str, ApiToken]:
    secret = PREFIX + new_secret(32)
    row = ApiToken(
        user_id=user_id,
        name=name[:100],
        prefix=secret[:12],
        token_hash=digest(secret),
        expires_at=now() + expires_in if expires_in is not None else None,
    )
    db.add(row)
    await db.flush()
    return secret, row


class GuessedTooOften(Exception):
    """The caller's address failed too many tokens this window: even a valid one is refused."""


async def authenticate(
    db: AsyncSession, secret: str, *, guess_key: str = "", guess_limit: int = 0, window: dt.timedelta | None = None
) -> User | None:
    """The token's user, or None. With ``guess_key``, raises :class:`GuessedTooOften` when that
    key counted ``guess_limit`` failures or more in ``window`` (read in the same statement)."""
    if not secret.startswith(PREFIX):
        return None
    found = await queries.api_token_and_user(
        db, token_hash=digest(secret), guess_key=guess_key, window=window or dt.timedelta(0)
    )
    if found is None:
        return None
    token, user, guesses = found
    if guess_key and guesses >= guess_limit:
        raise GuessedTooOften()
    # At most one write a minute per token: a read-only API call should not queue on a row lock.
    current = now()
    if token.last_used_at is None or current - token.last_used_at > dt.timedelta(minutes=1):
        await queries.touch_api_token(db, token=token, at=current)
    return user


async def list_for_user(db: AsyncSession, user_id: UUID) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
    return list((await db.scalars(stmt)).all())


async def revoke(db: AsyncSession, user_id: UUID, token_id: UUID) -> bool:
    """Revoke one of the user's tokens; False when the user has no such token (another user's
    token is no different from a missing one). Revoking a revoked token changes nothing."""
    token = await db.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = now()
    return True


async def revoke_all_for_user(db: AsyncSession, user_id: UUID) -> int:
    """Revoke every live token of the user (a password change or reset); how many were live."""
    stmt = (
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now(), updated_at=now())
        .returning(ApiToken.id)
        .execution_options(synchronize_session=False)
    )
    return len((await db.execute(stmt)).all())
