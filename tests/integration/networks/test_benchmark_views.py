"""The peer comparison for one assessment: API, results page, immutability, roles and bad input."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import asyncpg
import pytest

from ordena.db.driver import driver
from ordena.db.engine import Database
from ordena.lib.errors import ServiceError
from ordena.networks import refresh as refresh_module
from ordena.networks.lookup import percentile_moves
from ordena.networks.models import Network
from ordena.networks.refresh import refresh_network
from ordena.networks.schedule import request_refresh
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, FirmFixture, make_firm
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio


async def _joined(world: World, database: Database) -> tuple[FirmFixture, str]:
    """A firm with users in the network, its published assessment among three other firms'."""
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    await world.sql(
        "INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, show_to_clients,"
        " created_at, updated_at) VALUES ($1, gen_random_uuid(), $2, now(), 'owner@example.com', false, now(), now())",
        firm.id,
        world.network_id,
    )
    _, aid = await world.company(firm.id, 2.0, industry="C", size="mediana")
    await world.companies(firm.id, [2.5, 3.1], industry="C", size="mediana")
    for i in range(3):
        other = await world.firm()
        await world.companies(other, [1.5 + i * 0.7, 3.0, 4.4], industry="C", size="mediana")
    return firm, str(aid)


async def test_a_consultant_reads_the_percentile_and_the_same_question_gets_the_same_bytes(
    world: World, database: Database, exact: Settings, client
) -> None:
    firm, aid = await _joined(world, database)
    await refresh_network(exact, world.network_id)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    url = f"/api/v1/w/{firm.slug}/assessments/{aid}/benchmark?slice=industry"
    first = await client.get(url)
    assert first.status_code == 200, first.text
    doc = first.json()
    assert doc["release"]["number"] == 1 and doc["slice"] == {"kind": "industry", "value": "C"}
    overall = doc["cohorts"][0]
    assert overall["scope"] == "overall" and overall["published"]
    assert overall["n_band"] == "10-19" and overall["percentile_rank"] is not None
    assert float(overall["p10"]) <= float(overall["median"]) <= float(overall["p90"])
    assert set(overall) >= {"mean", "p25", "p75", "score"}
    again = await client.get(url)
    assert again.content == first.content

    # A later refresh makes release 2; release 1 is unchanged, byte for byte.
    before = await world.sql(
        "SELECT c.* FROM benchmark_cohort c JOIN benchmark_release r ON r.id = c.release_id"
        " WHERE r.network_id = $1 ORDER BY c.id",
        world.network_id,
    )
    await refresh_network(exact, world.network_id)
    after = await world.sql(
        "SELECT c.* FROM benchmark_cohort c JOIN benchmark_release r ON r.id = c.release_id"
        " WHERE r.network_id = $1 AND r.number = 1 ORDER BY c.id",
        world.network_id,
    )
    assert [dict(r) for r in after] == [dict(r) for r in before]
    assert (await client.get(url)).json()["release"]["number"] == 2


async def test_the_results_page_shows_the_comparison_and_htmx_swaps_the_cohort(
    world: World, database: Database, exact: Settings, client
) -> None:
    firm, aid = await _joined(world, database)
    await refresh_network(exact, world.network_id)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{aid}/results?slice=size")
    assert page.status_code == 200, page.text[:400]
    assert "Comparación con pares" in page.text and 'class="chart chart-benchmark"' in page.text
    fragment = await client.get(f"/w/{firm.slug}/assessments/{aid}/results?slice=all", headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<section") and "<html" not in fragment.text


async def test_a_cohort_outside_the_lattice_is_422(world: World, database: Database, exact: Settings, client) -> None:
    firm, aid = await _joined(world, database)
    await refresh_network(exact, world.network_id)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    for bad in ("company", "industry:G", "'; select 1"):
        assert (
            await client.get(f"/api/v1/w/{firm.slug}/assessments/{aid}/benchmark", params={"slice": bad})
        ).status_code == 422
        assert (await client.get(f"/w/{firm.slug}/assessments/{aid}/results", params={"slice": bad})).status_code == 422


async def test_another_firms_assessment_is_404(world: World, database: Database, exact: Settings, client) -> None:
    firm, aid = await _joined(world, database)
    other = await make_firm(database, roles=(Role.OWNER,))
    await refresh_network(exact, world.network_id)
    await client.login(other.email(Role.OWNER), PASSWORD)
    assert (await client.get(f"/api/v1/w/{other.slug}/assessments/{aid}/benchmark")).status_code == 404
    assert (await client.get(f"/api/v1/w/{firm.slug}/assessments/{aid}/benchmark")).status_code == 404
    assert (await client.get(f"/w/{other.slug}/assessments/{aid}/results")).status_code == 404
    # The cohort picker's fragment reads only the comparison: still nothing of another firm's.
    fragment = await client.get(
        f"/w/{other.slug}/assessments/{aid}/results", params={"slice": "all"}, headers={"hx-request": "true"}
    )
    assert fragment.status_code == 404


async def test_the_refresh_role_cannot_write_tenant_tables_nor_read_identities(world: World, exact: Settings) -> None:
    await _joined_firms_only(world)
    conn = await refresh_module._connect(exact)
    try:
        for statement in (
            "INSERT INTO company (tenant_id, id, name, country, industry_section, size_band, default_target_level,"
            " created_at, updated_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'x', 'PE', 'C', 'micro', 3, now(), now())",
            "UPDATE assessment SET status = 'draft'",
            "DELETE FROM result_dimension_score",
            "UPDATE network_membership SET left_at = now()",
            "UPDATE benchmark_release SET k = 1",
            "DELETE FROM benchmark_cohort",
            "SELECT name FROM company",
            "SELECT ruc FROM company",
            "SELECT title FROM assessment",
            "SELECT email FROM contact",
            "SELECT comment FROM answer",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
        # No network named: not one tenant row is visible.
        assert await conn.fetchval("SELECT count(*) FROM assessment") == 0
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.network_id', $1, true)", str(world.network_id))
            visible = await conn.fetchval("SELECT count(DISTINCT tenant_id) FROM assessment")
        assert visible == 3  # the consenting firms only; the one that left is not visible
    finally:
        await conn.close()


async def _joined_firms_only(world: World) -> None:
    for _ in range(3):
        await world.companies(await world.firm(), [3.0])
    await world.companies(await world.firm(left=True), [3.0])


async def test_bad_settings_and_a_refresh_within_a_week_are_refused(
    world: World, database: Database, exact: Settings
) -> None:
    await _joined_firms_only(world)
    await world.sql("UPDATE network SET min_companies = 2 WHERE id = $1", world.network_id)
    with pytest.raises(ServiceError, match="menor que 3"):
        await refresh_network(exact, world.network_id)
    await world.sql("UPDATE network SET min_companies = 5, epsilon = 0 WHERE id = $1", world.network_id)
    with pytest.raises(ServiceError, match="ε"):
        await refresh_network(exact, world.network_id)
    assert await world.sql("SELECT 1 FROM benchmark_release WHERE network_id = $1", world.network_id) == []
    await world.sql("UPDATE network SET epsilon = 1 WHERE id = $1", world.network_id)

    async with database.session() as db:
        network = await db.get(Network, world.network_id)
        assert network is not None
        await request_refresh(db, network, None)  # no release yet: queued
        with pytest.raises(ServiceError) as queued:
            await request_refresh(db, network, None)
        assert queued.value.status_code == 429
        await db.commit()
    await refresh_network(exact, world.network_id)
    async with database.session() as db:
        network = await db.get(Network, world.network_id)
        assert network is not None
        with pytest.raises(ServiceError, match="semana") as soon:
            await request_refresh(db, network, None)
        assert soon.value.status_code == 429


async def test_the_closed_loop_shows_the_move_in_percentile(world: World, database: Database, exact: Settings) -> None:
    firm, aid = await _joined(world, database)  # the re-assessment scores 2.0 everywhere
    await refresh_network(exact, world.network_id)
    async with database.session(tenant_id=firm.id) as db:
        found = await percentile_moves(
            await driver(db), firm.id, UUID(aid), {d: Decimal("1.40") for d in world.dimensions}
        )
    assert found is not None
    benchmark, moves = found
    assert benchmark.release_number == 1 and set(moves) == set(world.dimensions)
    for move in moves.values():
        assert move.before is not None and move.after is not None
        assert move.after > move.before and move.change == move.after - move.before
