"""The firm's companies, counted in ``company_count`` (one row per firm).

The company list's unfiltered pages (their pagination total) and the dashboard read this row
instead of counting the firm's companies on every view (issue 15: a page that shows a fixed
number of rows costs the same at 100 or 10,000 companies). A search or a filter still counts
with SQL: a bounded query the user asked for.

The services change it by deltas in the transaction of the change (:func:`add`): creating a
company (+1 active), archiving (−1 active, +1 archived), restoring (the reverse). Deltas
commute, and the row's lock (``ON CONFLICT DO UPDATE``) makes concurrent changes of one firm
wait for each other's commit, so the row always says what the ``company`` table says. Companies
are never deleted one by one (a firm's deletion cascades to its row). Bulk writers (the demo
scale generators, the migration) count from scratch with :func:`rebuild`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ordena.companies.models import CompanyCount

_TABLE = CompanyCount.__tablename__

_ADD = f"""
INSERT INTO {_TABLE} AS t (tenant_id, id, active, archived, created_at, updated_at)
VALUES ($1, gen_random_uuid(), $2, $3, now(), now())
ON CONFLICT (tenant_id) DO UPDATE
SET active = t.active + EXCLUDED.active, archived = t.archived + EXCLUDED.archived, updated_at = now()
"""

_CLEAR = f"DELETE FROM {_TABLE} WHERE tenant_id = ANY($1::uuid[])"
# Every firm gets its row, one with no companies too (a firm's first page then reads zeros).
_FILL = f"""
INSERT INTO {_TABLE} (tenant_id, id, active, archived, created_at, updated_at)
SELECT t.id, gen_random_uuid(),
       (SELECT count(*) FROM company c WHERE c.tenant_id = t.id AND c.archived_at IS NULL),
       (SELECT count(*) FROM company c WHERE c.tenant_id = t.id AND c.archived_at IS NOT NULL),
       now(), now()
FROM tenant t WHERE {{where}}
"""
FILL_ALL = _FILL.format(where="true")
_FILL_TENANTS = _FILL.format(where="t.id = ANY($1::uuid[])")

_READ = f"SELECT active, archived FROM {_TABLE} WHERE tenant_id = $1"


async def add(con: asyncpg.Connection, tenant_id: UUID, *, active: int = 0, archived: int = 0) -> None:
    """Change the firm's counts by these deltas (inside the caller's transaction, with the change)."""
    await con.execute(_ADD, tenant_id, active, archived)


async def read(con: asyncpg.Connection, tenant_id: UUID) -> tuple[int, int]:
    """(active, archived) companies of the firm."""
    row = await con.fetchrow(_READ, tenant_id)
    return (int(row["active"]), int(row["archived"])) if row is not None else (0, 0)


async def rebuild(con: asyncpg.Connection, tenant_ids: Sequence[UUID]) -> None:
    """Count these firms' companies from scratch (companies written behind the services' back)."""
    await con.execute(_CLEAR, list(tenant_ids))
    await con.execute(_FILL_TENANTS, list(tenant_ids))
