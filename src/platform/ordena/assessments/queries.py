"""The assessments' hand-written SQL, named and kept together (everything else is ORM).

Each function runs one statement on an asyncpg connection: the request's driver
(``RequestDB.begin()``) or the one under an ORM transaction (``ordena.db.driver.driver``), so
row-level security applies as it does to ORM statements; each still filters ``tenant_id``.
Parameters are asyncpg's ``$n``. Benchmarked in docs/benchmarks.md: do not add statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import asyncpg
from sqlalchemy import inspect

from ordena.assessments.latest import DAY_OF
from ordena.assessments.models import Assessment
from ordena.audit.models import AuditEvent
from ordena.companies.models import Contact
from ordena.db.detached import Detached
from ordena.tenancy.models import Tenant

# --- the autosave ---------------------------------------------------------------------------


def _audit_insert(values: dict[str, str]) -> str:
    """``INSERT INTO audit_event (…) SELECT …`` from the mapped table: the row mirrors what
    ``AuditTrail`` writes, and a column added to or renamed in the model fails here at import
    instead of silently writing a different row."""
    # The model's own columns; advanced-alchemy's ``_sentinel`` (always NULL) is not one.
    columns = [
        c.name for attr in inspect(AuditEvent).column_attrs if not attr.key.startswith("_") for c in attr.columns
    ]
    if set(columns) != set(values):
        raise RuntimeError(f"the autosave's audit row does not match {AuditEvent.__tablename__}: {sorted(columns)}")
    return (
        f"INSERT INTO {AuditEvent.__tablename__} ({', '.join(columns)}) SELECT {', '.join(values[c] for c in columns)}"
    )


_AUDIT_ANSWER = _audit_insert(
    {
        "tenant_id": "$1",
        "id": "$9",
        "actor_id": "$10",
        "actor_label": "$11",
        "action": "'answer'",
        "entity_type": "'assessment'",
        "entity_id": "$2::text",
        "before": "NULL",
        "after": "jsonb_build_object('question_id', $3::text, 'respondent_id', saved.respondent_id::text, "
        "'level', $6::int, 'na', $7::boolean, 'comment', left($8, 200))",
        "created_at": "$12",
        "updated_at": "$12",
    }
)

# One statement: the check (the assessment's status, N/A allowed, the respondent) and, only
# when every rule holds for an assessment already in progress, the upsert, the respondent's
# activity and the audit row. The check's columns come back either way, so the service tells
# the user which rule failed. A respondent's last activity feeds the reminders (days without
# progress): kept to the minute, so that answers in quick succession do not all queue on the
# respondent's row lock.
_SAVE_CHECKED = f"""
    WITH chk AS MATERIALIZED (
        SELECT a.status, q.allows_na, r.id AS respondent_id, r.submitted_at, q.dimension_id, q.version_id,
               coalesce(prev.level IS NOT NULL OR prev.not_applicable, false) AS was_answered
        FROM assessment a
        JOIN fw_question q ON q.id = $3 AND q.version_id = a.framework_version_id
        LEFT JOIN respondent r ON r.tenant_id = a.tenant_id AND r.assessment_id = a.id
             AND (CASE WHEN $4::uuid IS NULL THEN r.kind = 'consultant' ELSE r.id = $4::uuid END)
        LEFT JOIN answer prev ON prev.tenant_id = a.tenant_id AND prev.respondent_id = r.id AND prev.question_id = $3
        WHERE a.tenant_id = $1 AND a.id = $2
    ), saved AS (
        INSERT INTO answer (tenant_id, id, assessment_id, respondent_id, question_id, level, not_applicable, comment, created_at, updated_at)
        SELECT $1, $5, $2, chk.respondent_id, $3, $6, $7, $8, now(), now() FROM chk
        WHERE chk.status = 'in_progress' AND chk.respondent_id IS NOT NULL AND chk.submitted_at IS NULL
          AND (chk.allows_na OR NOT $7)
        ON CONFLICT (tenant_id, respondent_id, question_id) DO UPDATE
           SET level = EXCLUDED.level, not_applicable = EXCLUDED.not_applicable, comment = EXCLUDED.comment, updated_at = now()
        RETURNING id, updated_at, respondent_id
    ), touched AS (
        UPDATE respondent SET last_activity_at = now(), updated_at = now()
        WHERE tenant_id = $1 AND id IN (SELECT respondent_id FROM saved)
          AND (last_activity_at IS NULL OR last_activity_at < now() - interval '1 minute')
    ), audited AS (
        {_AUDIT_ANSWER}
        FROM saved
    )
    SELECT chk.status, chk.allows_na, chk.respondent_id, chk.submitted_at, saved.id AS answer_id, saved.updated_at,
           chk.was_answered
    FROM chk LEFT JOIN saved ON true
"""


async def save_checked(
    con: asyncpg.Connection,
    *,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    respondent_id: UUID | None,
    answer_id: UUID,
    level: int | None,
    not_applicable: bool,
    comment: str,
    audit_id: UUID,
    actor_id: UUID | None,
    actor_label: str,
    at: dt.datetime,
) -> asyncpg.Record | None:
    """The autosave's check-and-save; ``respondent_id`` None = the consultant's respondent.
    None when the assessment or the question does not exist."""
    row: asyncpg.Record | None = await con.fetchrow(
        _SAVE_CHECKED,
        tenant_id,
        assessment_id,
        question_id,
        respondent_id,
        answer_id,
        level,
        not_applicable,
        comment,
        audit_id,
        actor_id,
        actor_label,
        at,
    )
    return row


_UPSERT_ANSWER = """
    WITH saved AS (
        INSERT INTO answer (tenant_id, id, assessment_id, respondent_id, question_id, level, not_applicable, comment, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())
        ON CONFLICT (tenant_id, respondent_id, question_id) DO UPDATE
           SET level = EXCLUDED.level, not_applicable = EXCLUDED.not_applicable, comment = EXCLUDED.comment, updated_at = now()
        RETURNING id, updated_at
    ), touched AS (
        UPDATE respondent SET last_activity_at = now(), updated_at = now()
        WHERE tenant_id = $1 AND id = $4
          AND (last_activity_at IS NULL OR last_activity_at < now() - interval '1 minute')
    )
    SELECT id, updated_at FROM saved
"""


async def upsert_answer(
    con: asyncpg.Connection,
    *,
    tenant_id: UUID,
    answer_id: UUID,
    assessment_id: UUID,
    respondent_id: UUID,
    question_id: UUID,
    level: int | None,
    not_applicable: bool,
    comment: str,
) -> tuple[UUID, dt.datetime]:
    """Save an answer already checked, and the respondent's activity: (answer id, saved at)."""
    row = await con.fetchrow(
        _UPSERT_ANSWER, tenant_id, answer_id, assessment_id, respondent_id, question_id, level, not_applicable, comment
    )
    assert row is not None  # an upsert always returns its row
    return row["id"], row["updated_at"]


# The questionnaire's counters after a save, for the page to update: read (after the upsert, in
# its transaction) only when the question became answered or unanswered, about once per
# question; a changed level or comment leaves them as they are, and that is most saves.
_PROGRESS = """
    SELECT q0.dimension_id,
           count(*) FILTER (WHERE n.level IS NOT NULL OR n.not_applicable) AS answered,
           count(*) AS total,
           count(*) FILTER (WHERE fq.dimension_id = q0.dimension_id AND (n.level IS NOT NULL OR n.not_applicable))
               AS dim_answered,
           count(*) FILTER (WHERE fq.dimension_id = q0.dimension_id) AS dim_total
    FROM fw_question q0
    JOIN fw_question fq ON fq.version_id = q0.version_id
    LEFT JOIN answer n ON n.tenant_id = $1 AND n.respondent_id = $2 AND n.question_id = fq.id
    WHERE q0.id = $3
    GROUP BY q0.dimension_id
"""


async def progress(
    con: asyncpg.Connection, *, tenant_id: UUID, respondent_id: UUID, question_id: UUID
) -> asyncpg.Record | None:
    """(dimension_id, answered, total, dim_answered, dim_total) of the respondent, for the
    dimension of ``question_id``."""
    row: asyncpg.Record | None = await con.fetchrow(_PROGRESS, tenant_id, respondent_id, question_id)
    return row


_START = (
    "UPDATE assessment SET status = 'in_progress', updated_at = now() "
    "WHERE tenant_id = $1 AND id = $2 AND status = 'draft'"
)


async def start_draft(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> bool:
    """A draft moves to in progress (its first answer); False if it was no longer a draft."""
    status: str = await con.execute(_START, tenant_id, assessment_id)
    return status != "UPDATE 0"


# --- the consultant dashboard ---------------------------------------------------------------

# Counts of the firm in one round trip, none of them over the firm's history. The companies are
# counted in ``company_count`` and the publications of the last 365 days (in Lima, the days after
# ``$2``'s) in ``publication_day``, both kept by the changes (``companies.counts``,
# ``assessments.latest``). "Latest" is each active company's newest published assessment,
# summed in the maintained ``portfolio_total``; the average is truncated to 2 places in SQL, as
# scoring.shown does, so that the shown score and its level agree. The open work reads
# ``ix_assessment_status`` (open statuses only).
_FIRM_STATS = f"""
SELECT m.members, co.total, co.active, ac.open, ac.in_progress, ac.submitted, pb.published_12m, lt.latest, lt.scored, lt.average
FROM (SELECT count(*) AS members FROM membership WHERE tenant_id = $1) m
CROSS JOIN (
    SELECT coalesce(sum(active + archived), 0) AS total, coalesce(sum(active), 0) AS active
    FROM company_count WHERE tenant_id = $1
) co
CROSS JOIN (
    SELECT count(*) FILTER (WHERE a.status IN ('draft', 'in_progress')) AS open,
           count(*) FILTER (WHERE a.status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE a.status = 'submitted') AS submitted
    FROM assessment a
    JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
    WHERE a.tenant_id = $1 AND a.status IN ('draft', 'in_progress', 'submitted')
) ac
CROSS JOIN (
    SELECT coalesce(sum(n), 0) AS published_12m
    FROM publication_day WHERE tenant_id = $1 AND day > {DAY_OF.format("CAST($2 AS timestamptz)")}
) pb
CROSS JOIN (
    SELECT coalesce(sum(n), 0) AS latest, coalesce(sum(scored), 0) AS scored,
           trunc(sum(total) / nullif(sum(scored), 0), 2) AS average
    FROM portfolio_total WHERE tenant_id = $1 AND scope = ''
) lt
"""


async def firm_stats(con: asyncpg.Connection, *, tenant_id: UUID, since: dt.datetime) -> asyncpg.Record:
    row = await con.fetchrow(_FIRM_STATS, tenant_id, since)
    assert row is not None  # aggregates always return a row
    return row


# Submitted assessments waiting for validation, the longest waiting first.
_AWAITING_VALIDATION = """
SELECT a.id, a.title, a.submitted_at, c.id AS company_id, c.name AS company
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
WHERE a.tenant_id = $1 AND a.status = 'submitted'
ORDER BY a.submitted_at ASC NULLS FIRST, a.id
LIMIT $2
"""


async def awaiting_validation(con: asyncpg.Connection, *, tenant_id: UUID, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_AWAITING_VALIDATION, tenant_id, limit)
    return rows


# Client respondents invited to an open assessment who have not submitted and have shown no
# activity for longer than the assessment's reminder_days (the same idea as the reminders job).
_SILENT_RESPONDENTS = """
SELECT a.id, a.title, c.name AS company, ct.name AS contact, r.last_activity_at,
       coalesce(r.last_activity_at, r.invited_at) AS idle_since, count(*) OVER () AS total
FROM respondent r
JOIN assessment a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
LEFT JOIN contact ct ON ct.tenant_id = r.tenant_id AND ct.id = r.contact_id
WHERE r.tenant_id = $1 AND r.kind = 'self' AND r.invited_at IS NOT NULL AND r.submitted_at IS NULL
  AND a.status IN ('draft', 'in_progress')
  AND coalesce(r.last_activity_at, r.invited_at) < CAST($2 AS timestamptz) - make_interval(days => a.reminder_days)
ORDER BY idle_since ASC, r.id
LIMIT $3
"""


async def silent_respondents(
    con: asyncpg.Connection, *, tenant_id: UUID, now: dt.datetime, limit: int
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_SILENT_RESPONDENTS, tenant_id, now, limit)
    return rows


# The newest publications in ``ix_assessment_published``'s order, read until five are found.
_RECENT_RESULTS = """
SELECT a.id, a.title, a.published_at, c.id AS company_id, c.name AS company, s.overall
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
JOIN result_snapshot s ON s.tenant_id = a.tenant_id AND s.assessment_id = a.id
WHERE a.tenant_id = $1 AND a.status = 'published'
ORDER BY a.published_at DESC NULLS LAST, a.created_at DESC
LIMIT $2
"""


async def recent_results(con: asyncpg.Connection, *, tenant_id: UUID, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_RECENT_RESULTS, tenant_id, limit)
    return rows


# Per dimension, the mean of each active company's latest published score on the default
# framework (any of its versions; dimensions are matched by key): one maintained row each.
_PORTFOLIO_AVERAGES = """
SELECT scope AS key, trunc(total / scored, 2) AS score, scored AS companies
FROM portfolio_total
WHERE tenant_id = $1 AND framework_id = $2 AND scope <> '' AND scored > 0
"""


async def portfolio_averages(con: asyncpg.Connection, *, tenant_id: UUID, framework_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_PORTFOLIO_AVERAGES, tenant_id, framework_id)
    return rows


# --- what scores are computed from (results, plan generation) -------------------------------

_SCORING_ANSWERS = """
SELECT a.question_id, a.level, a.not_applicable, r.kind, r.id
FROM answer a JOIN respondent r ON r.tenant_id = a.tenant_id AND r.id = a.respondent_id
WHERE a.tenant_id = $1 AND a.assessment_id = $2
"""


async def scoring_answers(
    con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID
) -> list[tuple[UUID, int | None, bool, str, UUID]]:
    """Every answer of the assessment: (question id, level, N/A, respondent's side, respondent id)."""
    return [tuple(r) for r in await con.fetch(_SCORING_ANSWERS, tenant_id, assessment_id)]


_OVERRIDE_SCORES = """
SELECT dimension_id, score FROM dimension_override WHERE tenant_id = $1 AND assessment_id = $2
"""


async def override_scores(
    con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID
) -> list[tuple[UUID, Decimal]]:
    """The validated score that replaces each overridden dimension's computed one, by dimension id."""
    return [(r[0], r[1]) for r in await con.fetch(_OVERRIDE_SCORES, tenant_id, assessment_id)]


# --- published results (read from the stored snapshots, never recomputed) -------------------

# The company's published assessments with their snapshots, oldest first (results.history).
_COMPANY_HISTORY = """
SELECT a.id, a.title, a.framework_version_id, a.published_at, s.overall, s.data, s.updated_at AS stored_at
FROM assessment a
JOIN result_snapshot s ON s.tenant_id = a.tenant_id AND s.assessment_id = a.id
WHERE a.tenant_id = $1 AND a.company_id = $2 AND a.status = 'published'
ORDER BY a.published_at ASC NULLS LAST, a.created_at ASC
"""


async def company_history(con: asyncpg.Connection, *, tenant_id: UUID, company_id: UUID) -> list[asyncpg.Record]:
    """``data`` is the snapshot's JSON document (parsed by the caller, once)."""
    rows: list[asyncpg.Record] = await con.fetch(_COMPANY_HISTORY, tenant_id, company_id)
    return rows


@dataclass(frozen=True, slots=True)
class StoredRun:
    """One published run of a company as stored (``_COMPANY_HISTORY``'s row), its document still
    JSON text: the results page keys its view on that text and parses it only to build the view."""

    id: UUID
    title: str
    framework_version_id: UUID
    published_at: dt.datetime | None
    overall: Decimal | None
    data: str
    stored_at: dt.datetime | None


# The same rows, the document as text (the app's pool would parse jsonb on every read).
_COMPANY_RUNS = _COMPANY_HISTORY.replace("s.data,", "s.data::text AS data,")


async def company_runs(con: asyncpg.Connection, *, tenant_id: UUID, company_id: UUID) -> list[StoredRun]:
    """The company's published runs with their snapshots, oldest first (the results page)."""
    return [StoredRun(*r) for r in await con.fetch(_COMPANY_RUNS, tenant_id, company_id)]


@dataclass(frozen=True, slots=True)
class ResultsHead:
    """What the results page shows of an assessment beside its scores: its run, its company's
    name and its framework version's state (which says whether the version's tree is cached)."""

    id: UUID
    company_id: UUID
    framework_version_id: UUID
    title: str
    kind: str
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    company_name: str
    version_status: str
    version_published_at: dt.datetime | None


_RESULTS_HEAD = """
SELECT a.id, a.company_id, a.framework_version_id, a.title, a.kind, a.status, a.published_at, a.created_at,
       coalesce(c.name, '') AS company_name, v.status AS version_status, v.published_at AS version_published_at
FROM assessment a
JOIN framework_version v ON v.id = a.framework_version_id
LEFT JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id
WHERE a.tenant_id = $1 AND a.id = $2
"""


async def results_head(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> ResultsHead | None:
    """The firm's assessment as the results page heads it; None when it is not the firm's."""
    row = await con.fetchrow(_RESULTS_HEAD, tenant_id, assessment_id)
    return None if row is None else ResultsHead(*row)


# --- the questionnaire page (displays only: plain rows) --------------------------------------

# Every respondent of the assessment with their contact's name, and each of their answers (a
# respondent without answers comes once, with NULL answer columns).
_QUESTIONNAIRE_ROWS = """
SELECT r.id AS respondent_id, r.kind, r.submitted_at, ct.name AS contact,
       a.question_id, a.level, a.not_applicable, a.comment
FROM respondent r
LEFT JOIN contact ct ON ct.tenant_id = r.tenant_id AND ct.id = r.contact_id
LEFT JOIN answer a ON a.tenant_id = r.tenant_id AND a.assessment_id = r.assessment_id AND a.respondent_id = r.id
WHERE r.tenant_id = $1 AND r.assessment_id = $2
ORDER BY r.kind, r.created_at, r.id
"""


async def questionnaire_rows(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_QUESTIONNAIRE_ROWS, tenant_id, assessment_id)
    return rows


# The assessment a questionnaire page shows, detached (``ordena.db.detached``): read-only context.
_ASSESSMENT = Detached(Assessment)
_ASSESSMENT_BY_ID = (
    f"SELECT {', '.join(_ASSESSMENT.columns)} FROM {Assessment.__tablename__} WHERE tenant_id = $1 AND id = $2"
)


async def assessment(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> Assessment | None:
    row = await con.fetchrow(_ASSESSMENT_BY_ID, tenant_id, assessment_id)
    return _ASSESSMENT.from_row(row.values()) if row is not None else None


# The assessment's evidence still in place, each with its revisions (a link has none: one row
# with NULL revision columns), oldest evidence first, revisions in order.
_EVIDENCE_ROWS = """
SELECT e.id, e.question_id, e.kind, e.title, e.url, e.comment, r.revision, r.size, r.sha256
FROM evidence e
LEFT JOIN evidence_revision r ON r.tenant_id = e.tenant_id AND r.evidence_id = e.id
WHERE e.tenant_id = $1 AND e.assessment_id = $2 AND e.deleted_at IS NULL
ORDER BY e.created_at, e.id, r.revision
"""


async def evidence_rows(con: asyncpg.Connection, *, tenant_id: UUID, assessment_id: UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await con.fetch(_EVIDENCE_ROWS, tenant_id, assessment_id)
    return rows


# --- a client contact's session (benchmarked: ``contact_questionnaire``) -------------------------
# The contact guard's check in one statement: the session's firm, and its contact while still a
# respondent of the session's assessment of the session's company (removing a contact removes
# the respondent row). Both come back detached (``ordena.db.detached``), as read-only context.

_TENANT = Detached(Tenant)
_CONTACT = Detached(Contact)
_INVITED_CONTACT = f"""
SELECT {", ".join(f"t.{c}" for c in _TENANT.columns)}, {", ".join(f"c.{c}" for c in _CONTACT.columns)}
FROM {Tenant.__tablename__} t
JOIN respondent r ON r.tenant_id = t.id AND r.id = $2 AND r.contact_id = $3 AND r.assessment_id = $4
JOIN assessment a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id AND a.company_id = $5
JOIN {Contact.__tablename__} c ON c.tenant_id = r.tenant_id AND c.company_id = $5 AND c.id = $3
WHERE t.id = $1
"""


async def invited_contact(
    con: asyncpg.Connection,
    tenant_id: UUID,
    respondent_id: UUID,
    contact_id: UUID,
    assessment_id: UUID,
    company_id: UUID,
) -> tuple[Tenant, Contact] | None:
    """The firm and the contact, while the contact is still invited; None otherwise."""
    row = await con.fetchrow(_INVITED_CONTACT, tenant_id, respondent_id, contact_id, assessment_id, company_id)
    if row is None:
        return None
    values = list(row.values())
    n = len(_TENANT.columns)
    return _TENANT.from_row(values[:n]), _CONTACT.from_row(values[n:])
