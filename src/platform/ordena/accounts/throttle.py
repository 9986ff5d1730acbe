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


async def reset(db: AsyncSession, key: str) -> None:
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        await queries.rate_limit_clear(conn, key=key)
        await conn.commit()
