"""Fixed-window rate limits in the database, so every web process shares one count."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import queries


def key_for(*parts: str) -> str:
    return hashlib.sha256("|".join(p.lower() for p in parts).encode()).hexdigest()


async def hit(db: AsyncSession, key: str, *, window: dt.timedelta) -> int:
    """Count one attempt for ``key``; returns the attempts in the current window.

    Runs in its own committed statement so that a rolled-back failed login still counts.
    """
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        count = await queries.rate_limit_hit(conn, key=key, window=window)
        await conn.commit()
    return count


async def count(db: AsyncSession, key: str, *, window: dt.timedelta) -> int:
    """The attempts in the current window, without counting one (a read on the request's own
    connection: every bearer-token call asks)."""
    return await queries.rate_limit_count(db, key=key, window=window)


GUESS_WINDOW = dt.timedelta(minutes=15)


async def guessing_refused(db: AsyncSession, kind: str, ip: str, limit: int) -> bool:
    """Whether ``ip`` failed ``kind`` (a link secret, a bearer token) too often this window."""
    return await count(db, key_for("guess", kind, ip), window=GUESS_WINDOW) >= limit


async def guess_failed(db: AsyncSession, kind: str, ip: str) -> None:
    await hit(db, key_for("guess", kind, ip), window=GUESS_WINDOW)


async def reset(db: AsyncSession, key: str) -> None:
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        await queries.rate_limit_clear(conn, key=key)
        await conn.commit()
