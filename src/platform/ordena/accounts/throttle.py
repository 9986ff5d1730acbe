"""Fixed-window rate limits in the database, so every web process shares one count."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_HIT = text(
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


def key_for(*parts: str) -> str:
    return hashlib.sha256("|".join(p.lower() for p in parts).encode()).hexdigest()


async def hit(db: AsyncSession, key: str, *, window: dt.timedelta) -> int:
    """Count one attempt for ``key``; returns the attempts in the current window.

    Runs in its own committed statement so that a rolled-back failed login still counts.
    """
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        count = (await conn.execute(_HIT, {"key": key, "window": window.total_seconds()})).scalar_one()
        await conn.commit()
    return int(count)


async def reset(db: AsyncSession, key: str) -> None:
    async with db.bind.connect() as conn:  # type: ignore[union-attr]
        await conn.execute(text("DELETE FROM rate_limit WHERE key = :key"), {"key": key})
        await conn.commit()
