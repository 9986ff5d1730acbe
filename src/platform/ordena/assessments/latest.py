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

``portfolio_total`` sums those rows over the firm's *active* companies (the dashboard's average
and its per-dimension averages read one row each, whatever the firm's size). A company's share
(its newest overall score, and each dimension score of its latest run per framework) is taken
out before its rows are recomputed and put back after, and taken out when it is archived, put
back when restored (:func:`company_archived`, :func:`company_restored`); the company's row lock
orders these, and the sums are changed by deltas, which commute between companies.

``publication_day`` counts the publications of the firm's active companies per day (in Lima):
the dashboard's "published in the last 12 months" sums at most 365 rows. A publication adds one
to its day (:func:`published`, after :func:`refresh`, under the same lock); archiving takes the
company's publications out of their days and restoring puts them back, like its share of the
sums (a published assessment never changes, so the company's history says what it added).

Locks are taken in one order everywhere: the company's row, its ``portfolio_total`` rows, the
firm's ``company_count`` row (``companies.counts``), then the ``publication_day`` rows by day.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ordena.companies import counts as company_counts

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


# One company's share of the sums, added ``$3`` times (1 or -1), while it is active; the rows in
# (framework, scope) order, so that concurrent publications lock the sums in the same order.
_SHARE = """
WITH share AS (
    SELECT l.framework_id, '' AS scope, l.overall AS value
    FROM company_latest_result l
    WHERE l.tenant_id = $1 AND l.company_id = $2 AND l.newest
    UNION ALL
    SELECT l.framework_id, r.dimension_key, r.score
    FROM company_latest_result l
    JOIN result_dimension_score r ON r.tenant_id = l.tenant_id AND r.assessment_id = l.assessment_id
    WHERE l.tenant_id = $1 AND l.company_id = $2
)
INSERT INTO portfolio_total AS t (tenant_id, id, framework_id, scope, n, scored, total, created_at, updated_at)
SELECT $1, gen_random_uuid(), framework_id, scope, $3 * count(*), $3 * count(value), $3 * coalesce(sum(value), 0),
       now(), now()
FROM share
WHERE EXISTS (SELECT 1 FROM company c WHERE c.tenant_id = $1 AND c.id = $2 AND c.archived_at IS NULL)
GROUP BY framework_id, scope
ORDER BY framework_id, scope
ON CONFLICT (tenant_id, framework_id, scope) DO UPDATE
SET n = t.n + EXCLUDED.n, scored = t.scored + EXCLUDED.scored, total = t.total + EXCLUDED.total, updated_at = now()
"""

# Every active company of the firms, summed from scratch (the migration, bulk writers).
_TOTALS_OF = """
INSERT INTO portfolio_total (tenant_id, id, framework_id, scope, n, scored, total, created_at, updated_at)
SELECT tenant_id, gen_random_uuid(), framework_id, scope, count(*), count(value), coalesce(sum(value), 0), now(), now()
FROM (
    SELECT l.tenant_id, l.framework_id, '' AS scope, l.overall AS value
    FROM company_latest_result l
    JOIN company c ON c.tenant_id = l.tenant_id AND c.id = l.company_id AND c.archived_at IS NULL
    WHERE l.newest AND {where}
    UNION ALL
    SELECT l.tenant_id, l.framework_id, r.dimension_key, r.score
    FROM company_latest_result l
    JOIN company c ON c.tenant_id = l.tenant_id AND c.id = l.company_id AND c.archived_at IS NULL
    JOIN result_dimension_score r ON r.tenant_id = l.tenant_id AND r.assessment_id = l.assessment_id
    WHERE {where}
) share
GROUP BY tenant_id, framework_id, scope
"""
TOTALS_ALL = _TOTALS_OF.format(where="true")
_TOTALS_TENANTS = _TOTALS_OF.format(where="l.tenant_id = ANY($1::uuid[])")
_CLEAR_TOTALS = "DELETE FROM portfolio_total WHERE tenant_id = ANY($1::uuid[])"


async def refresh(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID) -> None:
    """Recompute the company's rows from its published assessments, and its share of the firm's
    sums (inside the caller's transaction, after the publication is written)."""
    await con.execute(_LOCK_COMPANY, tenant_id, company_id)
    await con.execute(_SHARE, tenant_id, company_id, -1)
    await con.execute(_CLEAR_COMPANY, tenant_id, company_id)
    await con.execute(_FILL_COMPANY, tenant_id, company_id)
    await con.execute(_SHARE, tenant_id, company_id, 1)


# The day a publication counts on: its date in Lima, where the firms work (as the dashboard shows it).
DAY_OF = "(({}) AT TIME ZONE 'America/Lima')::date"
_DAY = DAY_OF.format("a.published_at")

# One publication, counted ``$3`` times (1 or -1) on its day while its company is active.
_ONE_PUBLICATION = f"""
INSERT INTO publication_day AS t (tenant_id, id, day, n, created_at, updated_at)
SELECT a.tenant_id, gen_random_uuid(), {_DAY}, $3, now(), now()
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'published' AND a.published_at IS NOT NULL
ON CONFLICT (tenant_id, day) DO UPDATE SET n = t.n + EXCLUDED.n, updated_at = now()
"""

# One active company's publications, counted ``$3`` times per day, the days in order.
_COMPANY_PUBLICATIONS = f"""
INSERT INTO publication_day AS t (tenant_id, id, day, n, created_at, updated_at)
SELECT $1, gen_random_uuid(), day, $3 * count(*), now(), now()
FROM (
    SELECT {_DAY} AS day
    FROM assessment a
    WHERE a.tenant_id = $1 AND a.company_id = $2 AND a.status = 'published' AND a.published_at IS NOT NULL
) p
WHERE EXISTS (SELECT 1 FROM company c WHERE c.tenant_id = $1 AND c.id = $2 AND c.archived_at IS NULL)
GROUP BY day
ORDER BY day
ON CONFLICT (tenant_id, day) DO UPDATE SET n = t.n + EXCLUDED.n, updated_at = now()
"""

# Every active company's publications of the firms, counted from scratch (the migration, bulk writers).
_PUBLICATIONS_OF = f"""
INSERT INTO publication_day (tenant_id, id, day, n, created_at, updated_at)
SELECT a.tenant_id, gen_random_uuid(), {_DAY}, count(*), now(), now()
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
WHERE a.status = 'published' AND a.published_at IS NOT NULL AND {{where}}
GROUP BY a.tenant_id, {_DAY}
"""
PUBLICATIONS_ALL = _PUBLICATIONS_OF.format(where="true")
_PUBLICATIONS_TENANTS = _PUBLICATIONS_OF.format(where="a.tenant_id = ANY($1::uuid[])")
_CLEAR_PUBLICATIONS = "DELETE FROM publication_day WHERE tenant_id = ANY($1::uuid[])"


async def published(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID, assessment_id: UUID) -> None:
    """A publication (in its transaction, after it is written): the company's rows and sums, and
    one more publication on its day."""
    await refresh(con, tenant_id, company_id)
    await count_publication(con, tenant_id, assessment_id, 1)


async def count_publication(con: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, times: int) -> None:
    """Count a published assessment ``times`` (1 or -1) on its day, if its company is active: a
    writer that moves a publication's date (the demo's backdating) takes it out before and puts it
    back after."""
    await con.execute(_ONE_PUBLICATION, tenant_id, assessment_id, times)


async def company_archived(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID) -> None:
    """Take the company's share out of the sums, the firm's company counts and its publication
    days; call *before* its ``archived_at`` is written (the share counts only while the company
    is active)."""
    await con.execute(_LOCK_COMPANY, tenant_id, company_id)
    await con.execute(_SHARE, tenant_id, company_id, -1)
    await company_counts.add(con, tenant_id, active=-1, archived=1)
    await con.execute(_COMPANY_PUBLICATIONS, tenant_id, company_id, -1)


async def company_restored(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID) -> None:
    """Put the company's share, count and publications back; call *after* its ``archived_at`` is
    cleared (and flushed)."""
    await con.execute(_LOCK_COMPANY, tenant_id, company_id)
    await con.execute(_SHARE, tenant_id, company_id, 1)
    await company_counts.add(con, tenant_id, active=1, archived=-1)
    await con.execute(_COMPANY_PUBLICATIONS, tenant_id, company_id, 1)


async def rebuild(con: asyncpg.Connection, tenant_ids: Sequence[UUID]) -> None:
    """Recompute every company of these firms and their sums (bulk data written behind the
    services' back)."""
    await con.execute(_CLEAR_TENANTS, list(tenant_ids))
    await con.execute(_FILL_TENANTS, list(tenant_ids))
    await rebuild_totals(con, tenant_ids)


async def rebuild_totals(con: asyncpg.Connection, tenant_ids: Sequence[UUID]) -> None:
    """Every firm-wide figure the dashboard and the company list read, from scratch: the sums
    from the firms' ``company_latest_result`` rows, their company counts and publication days."""
    await con.execute(_CLEAR_TOTALS, list(tenant_ids))
    await con.execute(_TOTALS_TENANTS, list(tenant_ids))
    await company_counts.rebuild(con, tenant_ids)
    await con.execute(_CLEAR_PUBLICATIONS, list(tenant_ids))
    await con.execute(_PUBLICATIONS_TENANTS, list(tenant_ids))
