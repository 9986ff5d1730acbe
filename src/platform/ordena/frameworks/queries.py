"""The frameworks domain's hand-written SQL (see docs/CONVENTIONS.md, "The request's database work")."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from ordena.frameworks.models import FrameworkVersion

_PUBLISHED_AT = f"SELECT status, published_at FROM {FrameworkVersion.__tablename__} WHERE id = $1"


async def version_state(con: asyncpg.Connection, version_id: UUID) -> tuple[str, dt.datetime | None] | None:
    """A visible version's (status, published_at), None when there is none (RLS hides other firms')."""
    row = await con.fetchrow(_PUBLISHED_AT, version_id)
    return None if row is None else (row["status"], row["published_at"])
