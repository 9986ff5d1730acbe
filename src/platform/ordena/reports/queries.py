"""The firm's portfolio workbook reads three driver statements: companies with their latest
published assessment, that assessment's flat dimension scores, and plan progress per company.
Hand-written (asyncpg) because a firm with 500 companies must export in well under two seconds;
every statement filters ``tenant_id`` as the ORM would (RLS applies alike)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

_COMPANIES = """
SELECT c.id, c.name, c.ruc, c.country, c.industry_section, c.size_band, c.employees,
       c.archived_at, la.id AS assessment_id, la.title, la.published_at, la.framework_version_id,
       s.overall
FROM company c
LEFT JOIN LATERAL (
    SELECT a.id, a.title, a.published_at, a.framework_version_id
    FROM assessment a
    WHERE a.tenant_id = c.tenant_id AND a.company_id = c.id AND a.status = 'published'
    ORDER BY a.published_at DESC NULLS LAST, a.created_at DESC
    LIMIT 1
) la ON true
LEFT JOIN result_snapshot s ON s.tenant_id = c.tenant_id AND s.assessment_id = la.id
WHERE c.tenant_id = $1
ORDER BY lower(c.name), c.id
"""

_SCORES = """
SELECT r.company_id, r.dimension_key, r.score
FROM result_dimension_score r
WHERE r.tenant_id = $1 AND r.assessment_id = ANY($2::uuid[])
"""

_PLANS = """
SELECT p.company_id,
       count(i.id) AS initiatives,
       count(i.id) FILTER (WHERE i.status = 'done') AS done,
       count(i.id) FILTER (WHERE i.status = 'blocked') AS blocked,
       count(i.id) FILTER (WHERE i.status <> 'done' AND i.due_on < current_date) AS overdue,
       avg(i.progress) AS progress
FROM plan p
JOIN initiative i ON i.tenant_id = p.tenant_id AND i.plan_id = p.id
WHERE p.tenant_id = $1
GROUP BY p.company_id
"""


async def portfolio_companies(con: asyncpg.Connection, tenant_id: UUID) -> list[Any]:
    return list(await con.fetch(_COMPANIES, tenant_id))


async def portfolio_scores(con: asyncpg.Connection, tenant_id: UUID, assessment_ids: list[UUID]) -> list[Any]:
    return list(await con.fetch(_SCORES, tenant_id, assessment_ids))


async def portfolio_plans(con: asyncpg.Connection, tenant_id: UUID) -> list[Any]:
    return list(await con.fetch(_PLANS, tenant_id))


@dataclass(frozen=True, slots=True)
class ReportLine:
    """A report as the results page lists it (its link, kind, language, day and state)."""

    id: UUID
    format: str
    locale: str
    status: str
    created_at: dt.datetime


_LATEST = """
SELECT id, format, locale, status, created_at FROM report
WHERE tenant_id = $1 AND assessment_id = $2
ORDER BY created_at DESC
LIMIT $3
"""


async def latest_reports(
    con: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, limit: int = 5
) -> list[ReportLine]:
    """An assessment's newest reports, newest first."""
    return [ReportLine(*r) for r in await con.fetch(_LATEST, tenant_id, assessment_id, limit)]
