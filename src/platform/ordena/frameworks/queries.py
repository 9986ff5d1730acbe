"""The frameworks domain's hand-written SQL (see docs/CONVENTIONS.md, "The request's database work")."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from ordena.frameworks.loader import DEFAULT_FRAMEWORK_KEY
from ordena.frameworks.models import Framework, FrameworkVersion

_PUBLISHED_AT = f"SELECT status, published_at FROM {FrameworkVersion.__tablename__} WHERE id = $1"


async def version_state(con: asyncpg.Connection, version_id: UUID) -> tuple[str, dt.datetime | None] | None:
    """A visible version's (status, published_at), None when there is none (RLS hides other firms')."""
    row = await con.fetchrow(_PUBLISHED_AT, version_id)
    return None if row is None else (row["status"], row["published_at"])


_DEFAULT_VERSION = f"""
SELECT v.id, v.framework_id FROM {FrameworkVersion.__tablename__} v
JOIN {Framework.__tablename__} f ON f.id = v.framework_id
WHERE f.key = $1 AND f.owner_tenant_id IS NULL AND v.status = 'published'
ORDER BY v.version DESC LIMIT 1
"""


async def default_version_ids(con: asyncpg.Connection) -> tuple[UUID, UUID]:
    """(version id, framework id) of the latest published version of the platform's default
    framework, as ``services.default_version`` finds it (benchmarked: the dashboard)."""
    row = await con.fetchrow(_DEFAULT_VERSION, DEFAULT_FRAMEWORK_KEY)
    if row is None:
        raise LookupError("the default framework is not loaded (run `ordena db upgrade`)")
    return row["id"], row["framework_id"]
