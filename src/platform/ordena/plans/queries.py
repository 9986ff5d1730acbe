"""The plans domain's hand-written SQL (see docs/CONVENTIONS.md, "The request's database work")."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ordena.assessments.scoring import DEFAULT_TARGET
from ordena.db.detached import Detached
from ordena.plans.models import Plan
from ordena.plans.schemas import InitiativeOut


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
# published scores, never from snapshots. Only re-assessments (a baseline) can pair with a plan:
# ``ix_assessment_reassessed`` holds just those, so the firm's other publications are never read.
_PORTFOLIO_ATTAINMENT = f"""
WITH pairs AS (
    SELECT a.id AS assessment_id, a.targets, p.id AS plan_id
    FROM assessment a
    JOIN plan p ON p.tenant_id = a.tenant_id AND p.assessment_id = a.baseline_id
    WHERE a.tenant_id = $1 AND a.status = 'published' AND a.baseline_id IS NOT NULL
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


# --- the board (a page that only displays: plain rows, no ORM objects) ------------------------


@dataclass(frozen=True, slots=True)
class BoardCard:
    """One initiative as the board shows it: ``id`` as the page writes it (a card writes it a dozen
    times), ``owner`` its owner's name ("" without one), ``overdue`` open past its due date."""

    id: str
    title: str
    status: str
    progress: int
    due_on: dt.date | None
    blocked_reason: str
    owner: str
    overdue: bool


@dataclass(frozen=True)
class BoardHead:
    plan_id: UUID
    title: str
    company_id: UUID
    company_name: str


_BOARD_HEAD = """
SELECT p.id, p.title, c.id AS company_id, c.name AS company_name
FROM plan p JOIN company c ON c.tenant_id = p.tenant_id AND c.id = p.company_id
WHERE p.tenant_id = $1 AND p.id = $2
"""

# The owner's name: a contact of the plan's company first,
# else the firm member; name, else e-mail.
_BOARD_CARDS = """
SELECT i.id::text, i.title, i.status, i.progress, i.due_on, i.blocked_reason,
       COALESCE(NULLIF(ct.name, ''), ct.email, NULLIF(u.name, ''), u.email, '') AS owner,
       i.status <> 'done' AND i.due_on IS NOT NULL AND i.due_on < $4 AS overdue
FROM initiative i
LEFT JOIN contact ct ON ct.tenant_id = i.tenant_id AND ct.id = i.owner_contact_id AND ct.company_id = $3
LEFT JOIN user_account u ON u.id = i.owner_user_id
WHERE i.tenant_id = $1 AND i.plan_id = $2
ORDER BY i.position, i.due_on ASC NULLS LAST, i.title
"""


async def board_head(con: asyncpg.Connection, tenant_id: UUID, plan_id: UUID) -> BoardHead | None:
    """The plan's title and its company's name, in one statement (None: no such plan in the firm)."""
    row = await con.fetchrow(_BOARD_HEAD, tenant_id, plan_id)
    return None if row is None else BoardHead(row["id"], row["title"], row["company_id"], row["company_name"])


async def board_cards(
    con: asyncpg.Connection, tenant_id: UUID, plan_id: UUID, company_id: UUID, on: dt.date
) -> list[BoardCard]:
    """The plan's initiatives in the board's order, each with its owner's name, overdue ``on`` that day
    (plans.board.is_overdue's rule)."""
    return [BoardCard(*r) for r in await con.fetch(_BOARD_CARDS, tenant_id, plan_id, company_id, on)]


# --- the API's plan document -------------------------------------------------------------------

# The plan's initiatives as the API shows them, each with the ids it waits for, in one statement
# (plans.lookups.list_initiatives' order: most urgent first).
_PLAN_INITIATIVES = """
SELECT i.id, i.template_key, i.dimension_key, i.from_level, i.to_level, i.title, i.description, i.status,
       i.blocked_reason, i.progress, i.priority, i.position, i.owner_user_id, i.owner_contact_id, i.start_on,
       i.due_on, i.kpi_name, i.kpi_baseline::float8, i.kpi_goal::float8,
       ARRAY(SELECT jsonb_array_elements_text(i.question_keys)) AS question_keys,
       ARRAY(SELECT d.depends_on_id FROM initiative_dependency d
             WHERE d.tenant_id = i.tenant_id AND d.initiative_id = i.id) AS depends_on
FROM initiative i
WHERE i.tenant_id = $1 AND i.plan_id = $2
ORDER BY i.priority, i.position, i.created_at
"""


async def plan_initiatives(con: asyncpg.Connection, tenant_id: UUID, plan_id: UUID) -> list[InitiativeOut]:
    return [InitiativeOut(*r) for r in await con.fetch(_PLAN_INITIATIVES, tenant_id, plan_id)]


# --- generating a plan (again) ------------------------------------------------------------------

_PLANS = Detached(Plan)
_PLAN_ID = _PLANS.keys.index("id")


@dataclass(frozen=True)
class GenerationState:
    """The locked assessment as scoring and generation read it, with its plan (None: none yet),
    the library keys that plan already holds and the position after its last initiative."""

    id: UUID
    status: str
    company_id: UUID
    title: str
    framework_version_id: UUID
    kind: str
    targets: dict[str, int]
    plan: Plan | None
    held: frozenset[str]
    next_position: int


# The row lock makes two clicks on "generate" queue up instead of racing on the unique keys; only
# the assessment is locked (its plan is one per assessment, so it is covered by the same lock).
_GENERATION_STATE = (
    """
SELECT a.id, a.status, a.company_id, a.title, a.framework_version_id, a.kind, a.targets::text,
       ARRAY(SELECT DISTINCT i.template_key FROM initiative i
             WHERE i.tenant_id = a.tenant_id AND i.plan_id = p.id AND i.template_key IS NOT NULL) AS held,
       (SELECT COALESCE(max(i.position) + 1, 0) FROM initiative i
        WHERE i.tenant_id = a.tenant_id AND i.plan_id = p.id) AS next_position,
       """
    + ", ".join(f'p."{column}"' for column in _PLANS.columns)
    + """
FROM assessment a
LEFT JOIN plan p ON p.tenant_id = a.tenant_id AND p.assessment_id = a.id
WHERE a.tenant_id = $1 AND a.id = $2
FOR UPDATE OF a
"""
)


async def generation_state(con: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID) -> GenerationState | None:
    """The assessment locked for update, read with its plan in one statement (None: no such
    assessment in the firm)."""
    row = await con.fetchrow(_GENERATION_STATE, tenant_id, assessment_id)
    if row is None:
        return None
    # By position: the plan's columns repeat the assessment's names (id, title, company_id).
    aid, status, company_id, title, version_id, kind, targets, held, next_position, *plan = row.values()
    return GenerationState(
        id=aid,
        status=status,
        company_id=company_id,
        title=title,
        framework_version_id=version_id,
        kind=kind,
        targets=json.loads(targets) if targets else {},
        plan=None if plan[_PLAN_ID] is None else _PLANS.from_row(plan),
        held=frozenset(held),
        next_position=int(next_position),
    )


# --- the progress page: the baseline's plan and its initiatives (displays only) ----------------


@dataclass(frozen=True, slots=True)
class BaselineInitiative:
    id: UUID
    title: str
    dimension_key: str
    status: str
    completed_at: dt.datetime | None


_BASELINE_INITIATIVES = """
SELECT p.id AS plan_id, i.id, i.title, i.dimension_key, i.status, i.completed_at
FROM plan p
LEFT JOIN initiative i ON i.tenant_id = p.tenant_id AND i.plan_id = p.id
WHERE p.tenant_id = $1 AND p.assessment_id = $2
ORDER BY i.dimension_key, i.completed_at ASC NULLS LAST, i.position
"""


async def baseline_initiatives(
    con: asyncpg.Connection, *, tenant_id: UUID, baseline_id: UUID
) -> tuple[UUID | None, list[BaselineInitiative]]:
    """The plan of ``baseline_id`` (None: it has none) and its initiatives, in one statement."""
    rows = await con.fetch(_BASELINE_INITIATIVES, tenant_id, baseline_id)
    return (rows[0]["plan_id"] if rows else None), [
        BaselineInitiative(r["id"], r["title"], r["dimension_key"], r["status"], r["completed_at"])
        for r in rows
        if r["id"] is not None
    ]


# The dashboard's "plans at risk" (benchmarked: ``dashboard``): open initiatives of active companies
# that are overdue, blocked or due by ``$3``, the most urgent first, read in the order shown and
# cut to the few shown, so the cost does not grow with the firm's plans. Rank: overdue (due before
# ``$2``) 0, blocked 1, due soon 2.
_AT_RISK = """
SELECT i.id, i.title, p.id AS plan_id, c.name AS company, i.due_on, i.status,
       CASE WHEN i.due_on < $2 THEN 0 WHEN i.status = 'blocked' THEN 1 ELSE 2 END AS rank
FROM initiative i
JOIN plan p ON p.tenant_id = i.tenant_id AND p.id = i.plan_id
JOIN company c ON c.tenant_id = p.tenant_id AND c.id = p.company_id
WHERE i.tenant_id = $1 AND i.status <> 'done' AND c.archived_at IS NULL
  AND (i.status = 'blocked' OR i.due_on <= $3)
ORDER BY rank, i.due_on ASC NULLS LAST, i.priority
LIMIT $4
"""


async def initiatives_at_risk(
    con: asyncpg.Connection, tenant_id: UUID, on: dt.date, soon: dt.date, limit: int
) -> list[asyncpg.Record]:
    return list(await con.fetch(_AT_RISK, tenant_id, on, soon, limit))


@dataclass(frozen=True, slots=True)
class ProgressRun:
    """A run as the progress page names it (the re-assessment, or its baseline)."""

    id: UUID
    title: str
    status: str
    company_id: UUID
    published_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ProgressHead:
    """The re-assessment of a progress page, its baseline (None when gone), its targets (as
    stored, JSON text), its company's name and its framework version's state."""

    assessment: ProgressRun
    baseline_id: UUID | None
    baseline: ProgressRun | None
    framework_version_id: UUID
    targets: str
    company_name: str | None
    version_status: str
    version_published_at: dt.datetime | None

    def target_levels(self) -> dict[str, int]:
        found = json.loads(self.targets) if self.targets else {}
        return found if isinstance(found, dict) else {}


_PROGRESS_HEAD = """
SELECT a.id, a.title, a.status, a.company_id, a.published_at, a.baseline_id,
       b.id AS b_id, b.title AS b_title, b.status AS b_status, b.company_id AS b_company_id,
       b.published_at AS b_published_at,
       a.framework_version_id, coalesce(a.targets::text, '{}') AS targets, c.name AS company_name,
       v.status AS version_status, v.published_at AS version_published_at
FROM assessment a
JOIN framework_version v ON v.id = a.framework_version_id
LEFT JOIN assessment b ON b.tenant_id = a.tenant_id AND b.id = a.baseline_id
LEFT JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id
WHERE a.tenant_id = $1 AND a.id = $2
"""


async def progress_head(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> ProgressHead | None:
    """The firm's re-assessment with its baseline and company, in one statement (None: not the firm's)."""
    r = await con.fetchrow(_PROGRESS_HEAD, tenant_id, assessment_id)
    if r is None:
        return None
    baseline = None
    if r["b_id"] is not None:
        baseline = ProgressRun(r["b_id"], r["b_title"], r["b_status"], r["b_company_id"], r["b_published_at"])
    return ProgressHead(
        ProgressRun(r["id"], r["title"], r["status"], r["company_id"], r["published_at"]),
        r["baseline_id"],
        baseline,
        r["framework_version_id"],
        r["targets"],
        r["company_name"],
        r["version_status"],
        r["version_published_at"],
    )
