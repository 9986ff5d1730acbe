"""The benchmark's hand-written SQL, named and kept together (DESIGN §11).

The refresh's statements run as the dedicated refresh role (``ordena_refresh``), whose row-level
security policy shows it only the rows of firms that consent to the network named by the
transaction's ``app.network_id``, and whose column grants let it read only the score columns
below. Statistics are computed in PostgreSQL: Python receives one row per cohort of the lattice
(a few thousand), never a row per assessment.

Population (one row per company): per company of a consenting firm, its latest published
assessment on a version of the network's framework family, published in the 12 months before the
release date. Scores per scope: ``overall`` from the result snapshot's flat column; a dimension's
from the flat ``result_dimension_score`` rows; a pillar's = the weighted mean of its dimensions
that have a score (DESIGN §3), computed here from the same flat rows and the version's weights.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import asyncpg

from ordena.db.detached import Detached
from ordena.frameworks.models import FrameworkVersion
from ordena.networks.models import BenchmarkCohort, BenchmarkPractice, BenchmarkRelease, Network, NetworkAdmin

# width_bucket over these gives the maturity band 0..4 of a score (DESIGN §3).
_BANDS = "ARRAY[1.8, 2.6, 3.4, 4.2]::numeric[]"

_POPULATION = """
    members AS (
        SELECT m.tenant_id FROM network_membership m
        WHERE m.network_id = $1 AND m.consent_at IS NOT NULL AND m.left_at IS NULL
    ),
    latest AS (
        SELECT DISTINCT ON (a.tenant_id, a.company_id)
               a.tenant_id, a.company_id, a.id AS assessment_id, a.framework_version_id, a.kind
        FROM assessment a
        WHERE a.tenant_id IN (SELECT tenant_id FROM members)
          AND a.status = 'published'
          AND a.framework_version_id IN (SELECT v.id FROM framework_version v WHERE v.framework_id = $2)
          AND a.published_at >= $3::date - interval '12 months' AND a.published_at < $3::date + 1
        ORDER BY a.tenant_id, a.company_id, a.published_at DESC, a.id DESC
    ),
    pop AS (
        SELECT l.*, c.industry_section AS industry, c.size_band AS size, c.country
        FROM latest l JOIN company c ON c.tenant_id = l.tenant_id AND c.id = l.company_id
    )"""

SCORES = f"""
    WITH {_POPULATION},
    scores AS (
      SELECT u.*, width_bucket(u.score, {_BANDS}) AS band FROM (
        SELECT p.tenant_id, p.industry, p.size, p.country, 'overall'::text AS scope_kind, ''::text AS scope_key,
               s.overall AS score
        FROM pop p JOIN result_snapshot s ON s.tenant_id = p.tenant_id AND s.assessment_id = p.assessment_id
        WHERE s.overall IS NOT NULL
        UNION ALL
        SELECT p.tenant_id, p.industry, p.size, p.country, 'dimension', r.dimension_key, r.score
        FROM pop p JOIN result_dimension_score r ON r.tenant_id = p.tenant_id AND r.assessment_id = p.assessment_id
        UNION ALL
        SELECT p.tenant_id, p.industry, p.size, p.country, 'pillar', pl.key,
               sum(d.weight * r.score) / nullif(sum(d.weight), 0)
        FROM pop p
        JOIN result_dimension_score r ON r.tenant_id = p.tenant_id AND r.assessment_id = p.assessment_id
        JOIN fw_dimension d ON d.version_id = p.framework_version_id AND d.key = r.dimension_key
        JOIN fw_pillar pl ON pl.id = d.pillar_id
        GROUP BY p.tenant_id, p.assessment_id, p.industry, p.size, p.country, pl.key
      ) u
    )"""

# GROUPING(industry, size, country): 7 = all, 3 = industry, 5 = size, 6 = country, 1 = industry × size.
SLICE_OF_GROUPING = {7: "all", 3: "industry", 5: "size", 6: "country", 1: "industry_size"}

_CELLS = f"""
    {SCORES},
    per_firm AS (
        SELECT scope_kind, scope_key, GROUPING(industry, size, country) AS g, industry, size, country, tenant_id,
               count(*) AS n,
               count(*) FILTER (WHERE band = 0) AS h0,
               count(*) FILTER (WHERE band = 1) AS h1,
               count(*) FILTER (WHERE band = 2) AS h2,
               count(*) FILTER (WHERE band = 3) AS h3,
               count(*) FILTER (WHERE band = 4) AS h4
        FROM scores
        GROUP BY scope_kind, scope_key, tenant_id,
                 GROUPING SETS ((), (industry), (size), (country), (industry, size))
    )
    SELECT scope_kind, scope_key, g, coalesce(industry, '') AS industry, coalesce(size, '') AS size,
           coalesce(country, '') AS country,
           sum(n)::int AS n, count(*)::int AS firms,
           (array_agg(n ORDER BY n DESC))[1]::int AS top1,
           ((array_agg(n ORDER BY n DESC))[1] + coalesce((array_agg(n ORDER BY n DESC))[2], 0))::int AS top2,
           ARRAY[sum(h0), sum(h1), sum(h2), sum(h3), sum(h4)]::int[] AS hist
    FROM per_firm
    GROUP BY scope_kind, scope_key, g, industry, size, country
    ORDER BY scope_kind, scope_key, g DESC, industry, size, country
"""

# Commonly missed practices: per question of the family, the companies whose main-side answer
# (the consultant's; a self-assessment's respondents' mean) is at level 2 or below.
_PRACTICES = f"""
    WITH {_POPULATION},
    levels AS (
        SELECT p.tenant_id, p.company_id, q.key AS question_key, d.key AS dimension_key, avg(ans.level) AS level
        FROM pop p
        JOIN respondent r ON r.tenant_id = p.tenant_id AND r.assessment_id = p.assessment_id
             AND r.kind = CASE WHEN p.kind = 'self' THEN 'self' ELSE 'consultant' END
        JOIN answer ans ON ans.tenant_id = r.tenant_id AND ans.respondent_id = r.id AND ans.level IS NOT NULL
        JOIN fw_question q ON q.id = ans.question_id
        JOIN fw_dimension d ON d.id = q.dimension_id
        GROUP BY p.tenant_id, p.company_id, q.key, d.key
    ),
    per_firm AS (
        SELECT question_key, dimension_key, tenant_id, count(*) AS n, count(*) FILTER (WHERE level <= 2) AS low
        FROM levels GROUP BY question_key, dimension_key, tenant_id
    )
    SELECT question_key, min(dimension_key) AS dimension_key, sum(n)::int AS n, count(*)::int AS firms,
           (array_agg(n ORDER BY n DESC))[1]::int AS top1,
           ((array_agg(n ORDER BY n DESC))[1] + coalesce((array_agg(n ORDER BY n DESC))[2], 0))::int AS top2,
           sum(low)::int AS low
    FROM per_firm GROUP BY question_key ORDER BY question_key
"""

# The participation summary: firms with at least one company in the population, and how many
# companies each has (only as a band histogram, computed here so no per-firm count leaves SQL).
_PARTICIPATION = f"""
    WITH {_POPULATION},
    per_firm AS (SELECT tenant_id, count(*) AS n FROM pop GROUP BY tenant_id)
    SELECT count(*)::int AS firms,
           count(*) FILTER (WHERE n < 10)::int AS "1-9",
           count(*) FILTER (WHERE n >= 10 AND n < 50)::int AS "10-49",
           count(*) FILTER (WHERE n >= 50 AND n < 200)::int AS "50-199",
           count(*) FILTER (WHERE n >= 200)::int AS "200+"
    FROM per_firm
"""


async def begin_refresh(conn: asyncpg.Connection, network_id: UUID) -> None:
    """Name the network whose consenting firms this transaction may read (RLS), and hold the
    network's refresh lock until commit: one refresh of a network at a time."""
    await conn.execute("SELECT set_config('app.network_id', $1, true)", str(network_id))
    # Room for the hash aggregates of the grouping sets (bounded: this transaction only).
    await conn.execute("SET LOCAL work_mem = '64MB'")
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"benchmark:{network_id}")


async def network_settings(conn: asyncpg.Connection, network_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, framework_id, epsilon, min_companies, min_firms FROM network WHERE id = $1", network_id
    )


async def cells(conn: asyncpg.Connection, network_id: UUID, framework_id: UUID, as_of: dt.date) -> list[Any]:
    """One row per non-empty cohort of the lattice: true size, firms, the largest firm's company
    count (``top1``), the two largest firms' together (``top2``) and the exact band counts."""
    return list(await conn.fetch(_CELLS, network_id, framework_id, as_of))


async def practices(conn: asyncpg.Connection, network_id: UUID, framework_id: UUID, as_of: dt.date) -> list[Any]:
    return list(await conn.fetch(_PRACTICES, network_id, framework_id, as_of))


async def participation(
    conn: asyncpg.Connection, network_id: UUID, framework_id: UUID, as_of: dt.date
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(_PARTICIPATION, network_id, framework_id, as_of)
    return row


async def next_release_number(conn: asyncpg.Connection, network_id: UUID) -> int:
    number: int = await conn.fetchval(
        "SELECT coalesce(max(number), 0) + 1 FROM benchmark_release WHERE network_id = $1", network_id
    )
    return number


_RELEASE_COLUMNS = (
    "id, created_at, updated_at, network_id, number, as_of, released_at, framework_id, k, min_firms, epsilon, "
    "noised, summary"
)
_COHORT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "release_id",
    "scope_kind",
    "scope_key",
    "slice_kind",
    "slice_value",
    "published",
    "reason",
    "n_band",
    "histogram",
    "mean",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
)
_PRACTICE_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "release_id",
    "question_key",
    "dimension_key",
    "slice_kind",
    "slice_value",
    "published",
    "reason",
    "n_band",
    "share_low",
)


async def insert_release(conn: asyncpg.Connection, row: tuple[Any, ...]) -> None:
    await conn.execute(
        f"INSERT INTO benchmark_release ({_RELEASE_COLUMNS}) VALUES ($1, $2, $2, $3, $4, $5, $2, $6, $7, $8, $9, "
        "$10, $11::jsonb)",
        *row,
    )


async def insert_cohorts(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table("benchmark_cohort", records=rows, columns=_COHORT_COLUMNS)


async def insert_practices(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    await conn.copy_records_to_table("benchmark_practice", records=rows, columns=_PRACTICE_COLUMNS)


# --- the network admin's dashboard (benchmarked: ``network_admin``) -----------------------------
# Three statements on the request's driver: the latest release, the release's cohort and practice
# counts by slice (the picker and the counts in one pass), and the chosen slice's cohorts. The
# release and cohorts come back as detached ORM objects, the same the area's other pages read.

_RELEASE = Detached(BenchmarkRelease)
_COHORT = Detached(BenchmarkCohort)
_NETWORK = Detached(Network)
_ADMINISTERED = (
    f"SELECT {', '.join('n.' + c for c in _NETWORK.columns)} FROM {Network.__tablename__} n"
    f" JOIN {NetworkAdmin.__tablename__} a ON a.network_id = n.id AND a.user_id = $2 WHERE n.slug = $1"
)
_LATEST_VERSION = (
    f"SELECT id FROM {FrameworkVersion.__tablename__}"
    " WHERE framework_id = $1 AND status = 'published' ORDER BY version DESC LIMIT 1"
)
_LATEST_RELEASE = (
    f"SELECT {', '.join(_RELEASE.columns)} FROM {BenchmarkRelease.__tablename__}"
    " WHERE network_id = $1 ORDER BY number DESC LIMIT 1"
)
_RELEASE_COUNTS = f"""
    SELECT true AS cohort, slice_kind, slice_value, published, reason, count(*) AS n
    FROM {BenchmarkCohort.__tablename__} WHERE release_id = $1
    GROUP BY slice_kind, slice_value, published, reason
    UNION ALL
    SELECT false, NULL, NULL, published, NULL, count(*)
    FROM {BenchmarkPractice.__tablename__} WHERE release_id = $1 GROUP BY published
"""
_SLICE_COHORTS = (
    f"SELECT {', '.join(_COHORT.columns)} FROM {BenchmarkCohort.__tablename__}"
    " WHERE release_id = $1 AND slice_kind = $2 AND slice_value = $3"
)


async def administered_network(con: asyncpg.Connection, slug: str, user_id: UUID) -> Network | None:
    """The network guard's lookup (``services.administered_network``) as one driver statement;
    the network comes back detached (the area's pages only read it)."""
    row = await con.fetchrow(_ADMINISTERED, slug, user_id)
    return _NETWORK.from_row(row.values()) if row is not None else None


async def latest_version_id(con: asyncpg.Connection, framework_id: UUID) -> UUID | None:
    """The latest published version of a framework (``area.network_tree``)."""
    found: UUID | None = await con.fetchval(_LATEST_VERSION, framework_id)
    return found


async def latest_release(con: asyncpg.Connection, network_id: UUID) -> BenchmarkRelease | None:
    row = await con.fetchrow(_LATEST_RELEASE, network_id)
    return _RELEASE.from_row(row.values()) if row is not None else None


async def release_counts(con: asyncpg.Connection, release_id: UUID) -> list[asyncpg.Record]:
    """Per slice, published or hidden (by reason): how many cohorts (``cohort`` true); then
    the practices, published or not (``cohort`` false, no slice)."""
    return list(await con.fetch(_RELEASE_COUNTS, release_id))


async def slice_cohorts(con: asyncpg.Connection, release_id: UUID, kind: str, value: str) -> list[BenchmarkCohort]:
    return [_COHORT.from_row(r.values()) for r in await con.fetch(_SLICE_COHORTS, release_id, kind, value)]
