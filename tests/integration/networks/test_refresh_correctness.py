"""With noise off, a release's figures are exactly what SQL computes over the same population.

How the stored statistics relate to the raw scores (``ordena.networks.stats``): a cohort keeps
only its five band counts. With noise off those counts equal the exact ones; mean and percentiles
are those of the *pseudo-population* that spreads each band's count evenly inside the band, so
they equal ``percentile_cont``/``avg`` over that pseudo-population (computed here in SQL with
``generate_series``), and differ from ``percentile_cont`` over the raw scores by less than one
band width (0.8) — checked too."""

from __future__ import annotations

import random

import pytest

from ordena.networks.refresh import refresh_network
from ordena.settings import Settings
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio

_EXACT = """
    WITH pop AS (
        SELECT DISTINCT ON (a.tenant_id, a.company_id) a.tenant_id, a.id, c.industry_section, c.size_band
        FROM assessment a JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id
        JOIN network_membership m ON m.tenant_id = a.tenant_id AND m.network_id = $1
             AND m.consent_at IS NOT NULL AND m.left_at IS NULL
        WHERE a.status = 'published' AND a.published_at > now() - interval '12 months'
        ORDER BY a.tenant_id, a.company_id, a.published_at DESC
    ), s AS (
        SELECT r.score FROM pop JOIN result_dimension_score r ON r.tenant_id = pop.tenant_id AND r.assessment_id = pop.id
        WHERE r.dimension_key = $2 AND ($3 = '' OR pop.industry_section = $3)
    )
    SELECT count(*) AS n,
           ARRAY[count(*) FILTER (WHERE score < 1.8), count(*) FILTER (WHERE score >= 1.8 AND score < 2.6),
                 count(*) FILTER (WHERE score >= 2.6 AND score < 3.4), count(*) FILTER (WHERE score >= 3.4 AND score < 4.2),
                 count(*) FILTER (WHERE score >= 4.2)] AS hist,
           percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY score) AS raw
    FROM s
"""

# percentile_cont and avg over the pseudo-population of a histogram: c points evenly in each band.
_PSEUDO = """
    WITH h AS (SELECT b - 1 AS band, c FROM unnest($1::int[]) WITH ORDINALITY AS t(c, b)),
    pts AS (SELECT 1 + 0.8 * band + (i - 0.5) * 0.8 / c AS x FROM h, generate_series(1, c) AS i WHERE c > 0)
    SELECT avg(x) AS mean,
           percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY x) AS p
    FROM pts
"""


async def test_stored_statistics_equal_sql_over_the_same_population(world: World, exact: Settings) -> None:
    rnd = random.Random(12)
    dim = world.dimensions[0]
    for _ in range(4):
        firm = await world.firm()
        for _ in range(7):
            await world.company(
                firm, {d: rnd.uniform(1, 5) for d in world.dimensions}, industry=rnd.choice("CG"), size="mediana"
            )
    outcome = await refresh_network(exact, world.network_id)
    assert outcome.noised is False and outcome.number == 1

    for industry, kind in (("", "all"), ("C", "industry"), ("G", "industry")):
        stored = await world.cohort("dimension", dim, kind, industry)
        truth = (await world.sql(_EXACT, world.network_id, dim, industry))[0]
        if not stored["published"]:
            continue
        assert list(stored["histogram"]) == list(truth["hist"])  # exact band counts
        pseudo = (await world.sql(_PSEUDO, list(truth["hist"])))[0]
        assert abs(float(stored["mean"]) - float(pseudo["mean"])) < 0.0006
        got = [float(stored[p]) for p in ("p10", "p25", "p50", "p75", "p90")]
        for mine, theirs in zip(got, pseudo["p"], strict=True):
            assert abs(mine - float(theirs)) < 0.0006
        for mine, raw in zip(got, truth["raw"], strict=True):
            assert abs(mine - float(raw)) < 0.8  # within one band of percentile_cont of the raw scores
    assert (await world.cohort("dimension", dim, "all", ""))["published"]


async def test_only_the_latest_assessment_of_the_last_12_months_counts(world: World, exact: Settings) -> None:
    firms = [await world.firm() for _ in range(3)]
    for f in firms:
        await world.companies(f, [3.0, 3.0])
    # A company whose latest assessment (low) replaces an older, high one: counted once, low.
    company, _ = await world.company(firms[0], 4.8, published_days_ago=200)
    await world.company(firms[0], 1.2, published_days_ago=20, company_id=company)
    # Only assessed 13 months ago: out. A draft: out.
    await world.company(firms[1], 4.8, published_days_ago=400)
    await world.company(firms[2], 4.8, status="in_progress")
    await refresh_network(exact, world.network_id)
    overall = await world.cohort("overall", "", "all", "")
    assert overall["published"]
    assert list(overall["histogram"]) == [1, 0, 6, 0, 0]


async def test_a_firm_that_left_or_never_consented_and_custom_frameworks_are_excluded(
    world: World, exact: Settings
) -> None:
    for _ in range(3):
        await world.companies(await world.firm(), [3.0, 3.0])
    await world.companies(await world.firm(left=True), [4.8] * 3)
    await world.companies(await world.firm(consent=False), [4.8] * 3)
    await world.companies(await world.firm(member=False), [4.8] * 3)
    # A firm's custom copy of the network's framework: another framework, never counted.
    custom_firm = world.firms[0]
    rows = await world.sql(
        "INSERT INTO framework (id, key, name, description, owner_tenant_id, based_on_version_id, created_at, updated_at)"
        " VALUES (gen_random_uuid(), 'copia', '{}', '{}', $1, $2, now(), now()) RETURNING id",
        custom_firm,
        world.version_id,
    )
    version = await world.sql(
        "INSERT INTO framework_version (id, framework_id, version, status, levels, owner_tenant_id, created_at,"
        " updated_at) VALUES (gen_random_uuid(), $1, 1, 'published', '{}', $2, now(), now()) RETURNING id",
        rows[0]["id"],
        custom_firm,
    )
    await world.companies(custom_firm, [4.8] * 3, version_id=version[0]["id"])
    await refresh_network(exact, world.network_id)
    overall = await world.cohort("overall", "", "all", "")
    assert list(overall["histogram"]) == [0, 0, 6, 0, 0]
