"""Each company's latest published assessment, kept in ``company_latest_result``.

One row per (company, framework): the company's latest published assessment on that framework,
its overall score (from the stored snapshot) and publication time; ``newest`` marks the company's
latest across frameworks. The dashboard's aggregates read these rows instead of picking each
company's latest out of the firm's whole history (issue 15: the page stays flat as the history
grows).

Publishing is the only step that changes which assessment is a company's latest published one
(a published assessment is never reopened, moved or deleted; only drafts are deleted; a company
is archived, not deleted, and the dashboard joins the company for that). So
:func:`refresh` runs in the publishing transaction, and recomputes the company's rows from its
own history (a handful of rows), never by deltas: what the table says is always what the history
says. The company's row is locked first, so two publications of the same company in flight
one after the other each see the other's (READ COMMITTED reads the latest commit per statement).

Bulk writers (``demo.scale``, ``demo.network_scale``, the migration) fill it with the same
ordering: published_at (latest first, missing last), then created_at, then id.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

# The rows of the companies matched by ``{where}`` (on ``assessment a``), as INSERT … SELECT.
_FILL = """
INSERT INTO company_latest_result
    (tenant_id, id, company_id, framework_id, assessment_id, newest, overall, published_at, created_at, updated_at)
SELECT l.tenant_id, gen_random_uuid(), l.company_id, l.framework_id, l.id,
       row_number() OVER (
           PARTITION BY l.tenant_id, l.company_id
           ORDER BY l.published_at DESC NULLS LAST, l.created_at DESC, l.id DESC
       ) = 1,
       s.overall, l.published_at, now(), now()
FROM (
    SELECT DISTINCT ON (a.tenant_id, a.company_id, fv.framework_id)
           a.tenant_id, a.company_id, fv.framework_id, a.id, a.published_at, a.created_at
    FROM assessment a
    JOIN framework_version fv ON fv.id = a.framework_version_id
    WHERE a.status = 'published' AND {where}
    ORDER BY a.tenant_id, a.company_id, fv.framework_id, a.published_at DESC NULLS LAST, a.created_at DESC, a.id DESC
) l
LEFT JOIN result_snapshot s ON s.tenant_id = l.tenant_id AND s.assessment_id = l.id
"""

FILL_ALL = _FILL.format(where="true")
_FILL_COMPANY = _FILL.format(where="a.tenant_id = $1 AND a.company_id = $2")
_FILL_TENANTS = _FILL.format(where="a.tenant_id = ANY($1::uuid[])")

_LOCK_COMPANY = "SELECT 1 FROM company WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE"
_CLEAR_COMPANY = "DELETE FROM company_latest_result WHERE tenant_id = $1 AND company_id = $2"
_CLEAR_TENANTS = "DELETE FROM company_latest_result WHERE tenant_id = ANY($1::uuid[])"


async def refresh(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID) -> None:
    """Recompute the company's rows from its published assessments (inside the caller's
    transaction, after the publication is written)."""
    await con.execute(_LOCK_COMPANY, tenant_id, company_id)
    await con.execute(_CLEAR_COMPANY, tenant_id, company_id)
    await con.execute(_FILL_COMPANY, tenant_id, company_id)


async def rebuild(con: asyncpg.Connection, tenant_ids: Sequence[UUID]) -> None:
    """Recompute every company of these firms (bulk data written behind the services' back)."""
    await con.execute(_CLEAR_TENANTS, list(tenant_ids))
    await con.execute(_FILL_TENANTS, list(tenant_ids))
