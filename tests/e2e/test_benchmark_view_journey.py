"""A consultant compares a published assessment with its peers in Chromium: the firm takes part in
a network, a refresh publishes release 1, the consultant opens the results, picks the cohort of
the client's industry (htmx swaps the section; the plain form works without it) and reads the
client's percentile per dimension beside the box-and-whisker chart."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from ordena.assessments import lifecycle
from ordena.db.engine import Database, make_engine
from ordena.networks.refresh import refresh_network
from ordena.tenancy.models import Role
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import PASSWORD
from tests.integration.networks.world import make_world
from tests.integration.plans.helpers import PlanWorld, validated_assessment

pytestmark = pytest.mark.e2e


def _network_with_a_release(server: LiveServer) -> PlanWorld:
    async def go() -> PlanWorld:
        database = Database.connect(server.settings)
        engine = make_engine(make_url(server.settings.database_url), pool_size=1)
        try:
            made = await validated_assessment(database)
            async with database.session(tenant_id=made.tenant_id) as db:
                await lifecycle.transition(
                    db, made.tenant_id, made.assessment_id, "publish", made.actor, confirm=True, reason="Lo medido"
                )
                await db.commit()
            world = await make_world(engine)
            await world.sql(
                "INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, show_to_clients,"
                " created_at, updated_at) VALUES ($1, gen_random_uuid(), $2, now(), 'owner@example.com', true,"
                " now(), now())",
                made.tenant_id,
                world.network_id,
            )
            await world.peers()
            await refresh_network(server.settings, world.network_id)
            return made
        finally:
            await engine.dispose()
            await database.dispose()

    return server.run(go(), timeout=120)


def test_a_consultant_picks_a_cohort_and_reads_the_clients_percentile(
    live_server: LiveServer, live_url: str, new_page: Callable[..., Any], screenshot: Callable[[Any, str], None]
) -> None:
    made = _network_with_a_release(live_server)
    page = new_page()
    log_in(page, live_url, made.firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(f"{live_url}/w/{made.firm.slug}/assessments/{made.assessment_id}/results")
    section = page.locator("#benchmark")
    section.get_by_role("heading", name="Comparación con pares").wait_for()
    assert "Toda la red" in section.inner_text()

    page.select_option("#f-slice", "industry")  # htmx swaps the section on change
    page.locator("#benchmark strong", has_text="Sector: C").wait_for()
    text = section.inner_text()
    assert "edición 1" in text
    rows = section.locator("table.benchmark-table tbody tr")
    assert rows.count() >= 2
    first = rows.first.locator("td").nth(1).inner_text()
    assert re.fullmatch(r"\d{1,3}", first.strip()), first
    assert section.locator("svg.chart-benchmark").count() == 1
    screenshot(page, "benchmark-view-es")
