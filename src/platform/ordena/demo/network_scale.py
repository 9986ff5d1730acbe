"""A network at scale for benchmarks (``ordena bench-data --network-assessments N``).

Everything is made by a handful of set-based SQL statements (``generate_series``), never row by
row in Python: ``firms`` firms (slugs ``PREFIX-00000``…) with companies of uneven portfolio sizes,
two published assessments per company (an older one and the latest, both within the last year,
so "latest per company" matters), their flat dimension scores and snapshot overall, and a network
on the default framework that most firms consent to (a few never did, a few left).

Scores follow a company-level maturity shifted by size band and per dimension, so cohorts differ.
Answers are not generated: the release's commonly missed practices stay empty at this scale.
The owner role must bypass RLS (superuser or BYPASSRLS); with a superuser the per-row foreign-key
triggers are skipped (``session_replication_role = replica``), as ``ordena.demo.scale`` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ordena.assessments import latest
from ordena.frameworks.loader import DEFAULT_FRAMEWORK_KEY


@dataclass
class NetworkScale:
    network_id: UUID
    slug: str
    firms: int
    companies: int
    assessments: int
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"network {self.slug}: {self.firms} firms, {self.companies:,} companies, "
            f"{self.assessments:,} published assessments in {self.seconds:.0f} s"
        ]


_TENANTS = """
    INSERT INTO tenant (id, slug, name, locale, brand_color, subscription_status, created_at, updated_at)
    SELECT gen_random_uuid(), $1 || '-' || lpad(i::text, 5, '0'), 'Consultora ' || i, 'es', '#1f6f5c', 'none',
           now() - interval '1000 days', now()
    FROM generate_series($2::int, $2::int + $3::int - 1) AS i
    ON CONFLICT (slug) DO NOTHING
"""

# Most firms consent; every 25th never did, every 40th left.
_MEMBERSHIPS = """
    INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, terms_version, left_at,
                                    show_to_clients, created_at, updated_at)
    SELECT t.id, gen_random_uuid(), $1,
           CASE WHEN n % 25 = 7 THEN NULL ELSE now() - interval '200 days' END,
           CASE WHEN n % 25 = 7 THEN NULL ELSE 'owner@bench.example' END, '2026-11',
           CASE WHEN n % 40 = 3 THEN now() - interval '5 days' END,
           n % 2 = 0, now(), now()
    FROM (SELECT id, row_number() OVER (ORDER BY slug)::int AS n FROM tenant WHERE slug LIKE $2 || '-%') t
    ON CONFLICT (tenant_id, network_id) DO NOTHING
"""

# Uneven portfolios: 20 % to 180 % of the mean per firm; sections, sizes and countries skewed.
_COMPANIES = """
    INSERT INTO company (tenant_id, id, name, country, industry_section, size_band, default_target_level,
                         created_at, updated_at)
    SELECT t.id, gen_random_uuid(), 'Empresa ' || t.n || '-' || j,
           (ARRAY['PE','PE','PE','PE','PE','PE','CO','CL','MX','EC'])[1 + (hashint4(j * 31 + t.n) & 1023) % 10],
           (ARRAY['G','G','G','G','C','C','I','M','H','F','N','A','J','Q','K'])
               [1 + (hashint4(j * 17 + t.n * 7) & 1023) % 15],
           (ARRAY['micro','micro','micro','micro','micro','pequena','pequena','pequena','mediana','grande'])
               [1 + (hashint4(j * 13 + t.n * 3) & 1023) % 10],
           3, now() - interval '900 days', now()
    FROM (SELECT id, row_number() OVER (ORDER BY slug)::int AS n FROM tenant WHERE slug LIKE $1 || '-%') t,
         generate_series(1, greatest(1, ($2::int * (20 + (hashint4(t.n::int) & 1023) % 161) / 100))) AS j
"""

_ASSESSMENTS = """
    INSERT INTO assessment (tenant_id, id, company_id, framework_version_id, title, kind, status, targets,
                            reminder_days, published_at, submitted_at, validated_at, created_at, updated_at)
    SELECT c.tenant_id, gen_random_uuid(), c.id, $1, 'Diagnóstico ' || k, 'consultant', 'published', '{}', 7,
           now() - make_interval(days => CASE WHEN k = 1 THEN 200 + (hashint4(k) & 63) ELSE 5 + (abs(hashtext(c.id::text)) % 150) END),
           now() - interval '210 days', now() - interval '205 days', now() - interval '220 days', now()
    FROM company c JOIN tenant t ON t.id = c.tenant_id AND t.slug LIKE $2 || '-%',
         generate_series(1, 2) AS k
"""

# Dimension score = clamp(company maturity + size shift + dimension offset + noise, 1, 5), cut to 0.01.
_SCORES = """
    INSERT INTO result_dimension_score (tenant_id, id, assessment_id, company_id, dimension_key, score,
                                        created_at, updated_at)
    SELECT a.tenant_id, gen_random_uuid(), a.id, a.company_id, d.key,
           trunc(least(5, greatest(1,
               2.4 + (CASE c.size_band WHEN 'micro' THEN -0.5 WHEN 'mediana' THEN 0.4 WHEN 'grande' THEN 0.8 ELSE 0 END)
               + ((hashtext(c.id::text) & 1023) / 1023.0 - 0.5) * 2.2
               + ((hashtext(d.key) & 255) / 255.0 - 0.5) * 0.9
               + ((hashtext(a.id::text || d.key) & 1023) / 1023.0 - 0.5) * 1.2
               + CASE WHEN a.title = 'Diagnóstico 2' THEN 0.3 ELSE 0 END)::numeric), 2),
           now(), now()
    FROM assessment a
    JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id
    JOIN tenant t ON t.id = a.tenant_id AND t.slug LIKE $2 || '-%'
    -- Lateral: an assessment's rows are written together, side by side on disk, as publishing
    -- writes them (a plain join laid them out dimension by dimension, one page per row).
    CROSS JOIN LATERAL (SELECT f.key FROM fw_dimension f WHERE f.version_id = a.framework_version_id) d
    WHERE a.framework_version_id = $1
"""

_SNAPSHOTS = """
    INSERT INTO result_snapshot (tenant_id, id, assessment_id, overall, data, created_at, updated_at)
    SELECT r.tenant_id, gen_random_uuid(), r.assessment_id, round(avg(r.score), 2), '{}', now(), now()
    FROM result_dimension_score r JOIN tenant t ON t.id = r.tenant_id AND t.slug LIKE $1 || '-%'
    GROUP BY r.tenant_id, r.assessment_id
"""


async def generate_network(
    conn: asyncpg.Connection,
    *,
    firms: int = 500,
    assessments: int = 1_000_000,
    prefix: str = "netscale",
    network_slug: str = "red-escala",
    progress: Callable[[str], None] | None = None,
) -> NetworkScale:
    """Make the network and its data (two published assessments per company)."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    fw = await conn.fetchrow(
        "SELECT f.id AS framework_id, v.id AS version_id FROM framework f JOIN framework_version v"
        " ON v.framework_id = f.id WHERE f.key = $1 AND f.owner_tenant_id IS NULL ORDER BY v.version DESC LIMIT 1",
        DEFAULT_FRAMEWORK_KEY,
    )
    if fw is None:
        raise RuntimeError("no default framework: run `ordena db upgrade` first")
    network_id = await conn.fetchval(
        "INSERT INTO network (id, slug, name, min_companies, min_firms, framework_id, epsilon, refresh_every_days,"
        " terms_version, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'Red de escala', 5, 3, $2, 1.0, 30,"
        " '2026-11', now(), now()) ON CONFLICT (slug) DO UPDATE SET framework_id = EXCLUDED.framework_id RETURNING id",
        network_slug,
        fw["framework_id"],
    )
    per_firm = max(1, assessments // 2 // firms)
    steps: list[tuple[str, str, tuple[object, ...]]] = [
        ("firms", _TENANTS, (prefix, 0, firms)),
        ("consent", _MEMBERSHIPS, (network_id, prefix)),
        ("companies", _COMPANIES, (prefix, per_firm)),
        ("assessments", _ASSESSMENTS, (fw["version_id"], prefix)),
        ("dimension scores", _SCORES, (fw["version_id"], prefix)),
        ("snapshots", _SNAPSHOTS, (prefix,)),
    ]
    for name, statement, args in steps:
        t0 = time.perf_counter()
        status = await conn.execute(statement, *args)
        say(f"{name}: {status} in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    made = [r["id"] for r in await conn.fetch("SELECT id FROM tenant WHERE slug LIKE $1 || '-%'", prefix)]
    await latest.rebuild(conn, made)  # each company's latest result, as publishing keeps it
    say(f"latest results: {len(made)} firms in {time.perf_counter() - t0:.0f} s")
    await conn.execute("ANALYZE")
    companies = await conn.fetchval(
        "SELECT count(*) FROM company c JOIN tenant t ON t.id = c.tenant_id WHERE t.slug LIKE $1 || '-%'", prefix
    )
    return NetworkScale(network_id, network_slug, firms, companies, companies * 2, time.perf_counter() - started)


async def network_cli(
    owner_url: str, firms: int, assessments: int, echo: Callable[[str], None], **kw: object
) -> NetworkScale:
    conn = await asyncpg.connect(owner_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        if not await conn.fetchval("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"):
            raise RuntimeError("bench-data needs an owner role that bypasses RLS (superuser or BYPASSRLS)")
        if await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            await conn.execute("SET session_replication_role = replica")
        return await generate_network(conn, firms=firms, assessments=assessments, progress=echo, **kw)  # type: ignore[arg-type]
    finally:
        await conn.close()
