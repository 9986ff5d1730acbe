"""The bulk network generator (``ordena bench-data --network-assessments``) at a tiny size: its data
is what the refresh expects (latest per company, consenting firms only)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.demo.network_scale import generate_network
from ordena.networks.refresh import refresh_network
from ordena.settings import Settings
from tests.factories import unique
from tests.integration.networks.world import raw

pytestmark = pytest.mark.asyncio


async def test_a_generated_network_refreshes_with_one_company_counted_once(
    owner_engine: AsyncEngine, exact: Settings
) -> None:
    prefix, slug = unique("ns"), unique("red")
    conn, driver = await raw(owner_engine)
    try:
        made = await generate_network(driver, firms=30, assessments=1200, prefix=prefix, network_slug=slug)
        await conn.commit()
        consenting = await driver.fetchval(
            "SELECT count(*) FROM company c JOIN network_membership m ON m.tenant_id = c.tenant_id"
            " AND m.network_id = $1 AND m.consent_at IS NOT NULL AND m.left_at IS NULL",
            made.network_id,
        )
    finally:
        await conn.close()
    assert made.assessments == 2 * made.companies > 0
    outcome = await refresh_network(exact, made.network_id)
    assert outcome.published > 0 and outcome.summary["firms"] < 30  # some never consented or left
    conn, driver = await raw(owner_engine)
    try:
        total = await driver.fetchval(
            "SELECT (SELECT sum(x) FROM unnest(histogram) x) FROM benchmark_cohort WHERE release_id = $1"
            " AND scope_kind = 'overall' AND slice_kind = 'all'",
            outcome.release_id,
        )
    finally:
        await conn.close()
    assert total == consenting
