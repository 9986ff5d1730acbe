"""The consultant dashboard (the firm's home): a handful of aggregate queries.

Every statement filters ``tenant_id`` itself (RLS is the backstop) and works on the firm's
*active* (not archived) client companies. "Latest" means each company's most recent published
assessment, picked in SQL with ``DISTINCT ON``; the scores come from its stored
:class:`ResultSnapshot` (never recomputed). A new firm (no companies) costs one statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.scoring import level_of
from ordena.lib.clock import now

ATTENTION_LIMIT = 8
RECENT_LIMIT = 5
LIMA = ZoneInfo("America/Lima")

# Counts of the firm in one round trip; the average is over each active company's latest
# published assessment (truncated to 2 places in SQL, as scoring.shown does, so that the shown score and its level agree).
_STATS = text("""
WITH latest AS (
    SELECT DISTINCT ON (a.company_id) a.id
    FROM assessment a
    JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
    WHERE a.tenant_id = :tenant_id AND a.status = 'published'
    ORDER BY a.company_id, a.published_at DESC NULLS LAST, a.created_at DESC
)
SELECT m.members, co.total, co.active, ac.open, ac.in_progress, ac.submitted, ac.published_12m, lt.latest, lt.scored, lt.average
FROM (SELECT count(*) AS members FROM membership WHERE tenant_id = :tenant_id) m
CROSS JOIN (
    SELECT count(*) AS total, count(*) FILTER (WHERE archived_at IS NULL) AS active
    FROM company WHERE tenant_id = :tenant_id
) co
CROSS JOIN (
    SELECT count(*) FILTER (WHERE a.status IN ('draft', 'in_progress')) AS open,
           count(*) FILTER (WHERE a.status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE a.status = 'submitted') AS submitted,
           count(*) FILTER (WHERE a.status = 'published' AND a.published_at >= :since) AS published_12m
    FROM assessment a
    JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
    WHERE a.tenant_id = :tenant_id AND a.status IN ('draft', 'in_progress', 'submitted', 'published')
) ac
CROSS JOIN (
    SELECT count(*) AS latest, count(s.overall) AS scored, trunc(avg(s.overall), 2) AS average
    FROM latest JOIN result_snapshot s ON s.tenant_id = :tenant_id AND s.assessment_id = latest.id
) lt
""")

# Submitted assessments waiting for validation, the longest waiting first.
_SUBMITTED = text("""
SELECT a.id, a.title, a.submitted_at, c.id AS company_id, c.name AS company
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
WHERE a.tenant_id = :tenant_id AND a.status = 'submitted'
ORDER BY a.submitted_at ASC NULLS FIRST, a.id
LIMIT :limit
""")

# Client respondents invited to an open assessment who have not submitted and have shown no
# activity for longer than the assessment's reminder_days (the same idea as the reminders job).
_SILENT = text("""
SELECT a.id, a.title, c.name AS company, ct.name AS contact, r.last_activity_at,
       coalesce(r.last_activity_at, r.invited_at) AS idle_since, count(*) OVER () AS total
FROM respondent r
JOIN assessment a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
LEFT JOIN contact ct ON ct.tenant_id = r.tenant_id AND ct.id = r.contact_id
WHERE r.tenant_id = :tenant_id AND r.kind = 'self' AND r.invited_at IS NOT NULL AND r.submitted_at IS NULL
  AND a.status IN ('draft', 'in_progress')
  AND coalesce(r.last_activity_at, r.invited_at) < CAST(:now AS timestamptz) - make_interval(days => a.reminder_days)
ORDER BY idle_since ASC, r.id
LIMIT :limit
""")

_RECENT = text("""
SELECT a.id, a.title, a.published_at, c.id AS company_id, c.name AS company, s.overall
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
JOIN result_snapshot s ON s.tenant_id = a.tenant_id AND s.assessment_id = a.id
WHERE a.tenant_id = :tenant_id AND a.status = 'published'
ORDER BY a.published_at DESC NULLS LAST, a.created_at DESC
LIMIT :limit
""")

# Per dimension, the mean of each active company's latest published score on the default
# framework (any of its versions; dimensions are matched by key).
_PORTFOLIO = text("""
WITH latest AS (
    SELECT DISTINCT ON (a.company_id) a.id
    FROM assessment a
    JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
    JOIN framework_version fv ON fv.id = a.framework_version_id AND fv.framework_id = :framework_id
    WHERE a.tenant_id = :tenant_id AND a.status = 'published'
    ORDER BY a.company_id, a.published_at DESC NULLS LAST, a.created_at DESC
)
SELECT r.dimension_key AS key, trunc(avg(r.score), 2) AS score, count(*) AS companies
FROM latest
JOIN result_dimension_score r ON r.tenant_id = :tenant_id AND r.assessment_id = latest.id
GROUP BY 1
""")


@dataclass(frozen=True)
class Stats:
    members: int
    companies_total: int
    companies: int
    open: int  # draft or in progress (respondents may be invited)
    in_progress: int
    submitted: int
    published_12m: int
    assessed_companies: int  # with a published assessment
    scored_companies: int
    average: Decimal | None

    @property
    def average_level(self) -> int | None:
        return level_of(self.average)


@dataclass(frozen=True)
class AwaitingValidation:
    assessment_id: UUID
    title: str
    company_id: UUID
    company: str
    submitted_at: dt.datetime | None
    days: int | None


@dataclass(frozen=True)
class SilentRespondent:
    assessment_id: UUID
    title: str
    company: str
    contact: str
    started: bool  # answered something before going quiet
    days: int


@dataclass(frozen=True)
class RecentResult:
    assessment_id: UUID
    title: str
    company_id: UUID
    company: str
    published_at: dt.datetime | None
    overall: Decimal | None

    @property
    def level(self) -> int | None:
        return level_of(self.overall)

    @property
    def published_on(self) -> dt.date | None:
        """The publication day as seen in Peru (where the firms work)."""
        return self.published_at.astimezone(LIMA).date() if self.published_at else None


@dataclass(frozen=True)
class DimensionAverage:
    key: str
    name: str
    pillar: str
    score: Decimal
    companies: int

    @property
    def level(self) -> int | None:
        return level_of(self.score)


@dataclass
class Dashboard:
    stats: Stats
    awaiting: list[AwaitingValidation] = field(default_factory=list)
    silent: list[SilentRespondent] = field(default_factory=list)
    silent_total: int = 0
    recent: list[RecentResult] = field(default_factory=list)
    portfolio: list[DimensionAverage] = field(default_factory=list)
    tree: Any = None  # the default framework's structure (level and dimension names)

    @property
    def is_new(self) -> bool:
        return self.stats.companies_total == 0

    @property
    def portfolio_companies(self) -> int:
        return max((d.companies for d in self.portfolio), default=0)

    @property
    def attention_total(self) -> int:
        return self.stats.submitted + self.silent_total

    def level_name(self, level: int | None) -> str:
        return self.tree.level_name(level) if self.tree is not None and level is not None else ""


def _days(at: dt.datetime, since: dt.datetime | None) -> int | None:
    return None if since is None else max(0, (at - since).days)


async def load_dashboard(db: AsyncSession, tenant_id: UUID, *, at: dt.datetime | None = None) -> Dashboard:
    at = at or now()
    params = {"tenant_id": tenant_id}
    row = (await db.execute(_STATS, {**params, "since": at - dt.timedelta(days=365)})).one()
    stats = Stats(
        members=int(row.members),
        companies_total=int(row.total),
        companies=int(row.active),
        open=int(row.open),
        in_progress=int(row.in_progress),
        submitted=int(row.submitted),
        published_12m=int(row.published_12m),
        assessed_companies=int(row.latest),
        scored_companies=int(row.scored),
        average=row.average,
    )
    board = Dashboard(stats)
    if stats.companies == 0:
        return board

    if stats.submitted:
        board.awaiting = [
            AwaitingValidation(r.id, r.title, r.company_id, r.company, r.submitted_at, _days(at, r.submitted_at))
            for r in await db.execute(_SUBMITTED, {**params, "limit": ATTENTION_LIMIT})
        ]
    if stats.open:
        silent = (await db.execute(_SILENT, {**params, "now": at, "limit": ATTENTION_LIMIT})).all()
        board.silent = [
            SilentRespondent(
                r.id, r.title, r.company, r.contact or "", r.last_activity_at is not None, _days(at, r.idle_since) or 0
            )
            for r in silent
        ]
        board.silent_total = int(silent[0].total) if silent else 0

    if stats.assessed_companies:
        from ordena.frameworks.services import default_version, structure

        board.recent = [
            RecentResult(r.id, r.title, r.company_id, r.company, r.published_at, r.overall)
            for r in await db.execute(_RECENT, {**params, "limit": RECENT_LIMIT})
        ]
        version = await default_version(db)
        tree = board.tree = await structure(db, version.id)
        averages = await db.execute(_PORTFOLIO, {**params, "framework_id": version.framework_id})
        known = {d.key: d for d in tree.dimensions}
        board.portfolio = sorted(
            (
                DimensionAverage(
                    r.key,
                    tree.label(known[r.key].name),
                    tree.label(tree.pillar(known[r.key].pillar_key).name),
                    r.score,
                    int(r.companies),
                )
                for r in averages
                if r.key in known
            ),
            key=lambda d: (d.score, d.name),
        )
    return board
