"""The plans domain's hand-written SQL (see docs/CONVENTIONS.md, "The request's database work")."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ordena.assessments.scoring import DEFAULT_TARGET


@dataclass(frozen=True)
class PortfolioAttainment:
    """Across the firm's published re-assessments whose baseline had a plan: the dimensions
    with completed initiatives, how many reached their target, and over how many re-assessments."""

    dimensions: int
    reached: int
    reassessments: int

    @property
    def rate(self) -> float | None:
        return self.reached / self.dimensions if self.dimensions else None


# The same rule as the progress page (plans.progress): a dimension counts when the baseline's plan
# has a done initiative for it, and reached when the re-assessment's published score is at least
# its target (the re-assessment's own target, DEFAULT_TARGET when none). Read from the flat
# published scores, never from snapshots.
_PORTFOLIO_ATTAINMENT = f"""
WITH pairs AS (
    SELECT a.id AS assessment_id, a.targets, p.id AS plan_id
    FROM assessment a
    JOIN plan p ON p.tenant_id = a.tenant_id AND p.assessment_id = a.baseline_id
    WHERE a.tenant_id = $1 AND a.status = 'published'
), done AS (
    SELECT DISTINCT pairs.assessment_id, pairs.targets, i.dimension_key
    FROM pairs
    JOIN initiative i ON i.tenant_id = $1 AND i.plan_id = pairs.plan_id AND i.status = 'done'
)
SELECT count(*) AS dimensions,
       count(*) FILTER (
           WHERE s.score >= COALESCE((done.targets ->> done.dimension_key)::int, {DEFAULT_TARGET})
       ) AS reached,
       count(DISTINCT done.assessment_id) AS reassessments
FROM done
LEFT JOIN result_dimension_score s
       ON s.tenant_id = $1 AND s.assessment_id = done.assessment_id AND s.dimension_key = done.dimension_key
"""


async def portfolio_attainment(con: asyncpg.Connection, tenant_id: UUID) -> PortfolioAttainment:
    row = await con.fetchrow(_PORTFOLIO_ATTAINMENT, tenant_id)
    assert row is not None  # an aggregate always answers one row
    return PortfolioAttainment(int(row["dimensions"]), int(row["reached"]), int(row["reassessments"]))
