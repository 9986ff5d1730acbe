"""The client contact sees the peer comparison only when their firm opts in to showing it."""

from __future__ import annotations

from typing import Any

import pytest

from ordena.assessments.lifecycle import transition
from ordena.networks.refresh import refresh_network
from ordena.settings import Settings
from tests.integration.assessments.helpers import link_in, make_world, new_assessment, newest_email, tree_of
from tests.integration.assessments.test_self_assessment import _invite, _open_link
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio


async def test_the_contact_sees_the_comparison_only_when_the_firm_shows_it(
    client: Any, database: Any, world: World, exact: Settings
) -> None:
    firm = await make_world(database)
    a = await new_assessment(database, firm, kind="self")
    tree = await tree_of(database, firm)
    await _invite(client, firm, a, firm.contacts[:1])
    await _open_link(client, link_in(await newest_email(database, firm.contacts[0].email)))  # type: ignore[arg-type]
    await client.get(f"/c/assessments/{a.id}")
    for q in tree.questions:
        await client.post(f"/c/assessments/{a.id}/answers", {"question_id": str(q.id), "level": "2"})
    assert (await client.post(f"/c/assessments/{a.id}/submit", {})).status_code == 303
    async with database.session(tenant_id=firm.tenant_id) as db:
        for action in ("validate", "publish"):
            await transition(db, firm.tenant_id, a.id, action, firm.actor)
        await db.commit()

    await world.sql(
        "INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, show_to_clients,"
        " created_at, updated_at) VALUES ($1, gen_random_uuid(), $2, now(), 'owner@example.com', false, now(), now())",
        firm.tenant_id,
        world.network_id,
    )
    for _ in range(3):
        await world.companies(await world.firm(), [1.5, 2.5, 3.5, 4.5], industry="C", size="mediana")
    await refresh_network(exact, world.network_id)

    hidden = await client.get(f"/c/assessments/{a.id}/results")
    assert hidden.status_code == 200 and "Comparación con pares" not in hidden.text
    await world.sql("UPDATE network_membership SET show_to_clients = true WHERE tenant_id = $1", firm.tenant_id)
    shown = await client.get(f"/c/assessments/{a.id}/results?slice=industry")
    assert shown.status_code == 200 and "Comparación con pares" in shown.text
    assert "chart-benchmark" in shown.text and "Sector: C" in shown.text
