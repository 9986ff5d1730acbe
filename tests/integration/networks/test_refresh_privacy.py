"""Each rule of DESIGN §11 by a constructed case (noise off unless said, so that a leak would show
exactly): below k, fewer than 3 firms, one dominant firm, two dominant firms, parent − children
differencing, colluding firms."""

from __future__ import annotations

import pytest

from ordena.networks.refresh import refresh_network
from ordena.settings import Settings
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio


async def _reason(world: World, kind: str = "all", value: str = "") -> str | None:
    row = await world.cohort("overall", "", kind, value)
    assert row is not None
    if row["published"]:
        assert row["reason"] is None and row["histogram"] is not None
        return None
    # A hidden cohort keeps nothing but its reason.
    assert row["histogram"] is None and row["n_band"] is None and row["mean"] is None and row["p50"] is None
    return str(row["reason"])


async def test_a_cohort_below_k_is_hidden(world: World, exact: Settings) -> None:
    for _ in range(4):
        await world.companies(await world.firm(), [3.0])  # 4 companies from 4 firms, k = 5
    await refresh_network(exact, world.network_id)
    assert await _reason(world) == "k"


async def test_a_cohort_from_fewer_than_3_firms_is_hidden(world: World, exact: Settings) -> None:
    await world.companies(await world.firm(), [3.0] * 5)
    await world.companies(await world.firm(), [2.0] * 5)
    await refresh_network(exact, world.network_id)
    assert await _reason(world) == "firms"


async def test_a_dominant_firm_hides_the_cohort(world: World, exact: Settings) -> None:
    await world.companies(await world.firm(), [3.0] * 6)  # 6 of 10: over half
    await world.companies(await world.firm(), [2.0] * 2)
    await world.companies(await world.firm(), [2.0] * 2)
    await refresh_network(exact, world.network_id)
    assert await _reason(world) == "dominance"


async def test_two_dominant_firms_hide_the_cohort(world: World, exact: Settings) -> None:
    await world.companies(await world.firm(), [3.0] * 5)  # 5 + 4 of 10: over 80 %
    await world.companies(await world.firm(), [2.0] * 4)
    await world.companies(await world.firm(), [4.0] * 1)
    await refresh_network(exact, world.network_id)
    assert await _reason(world) == "dominance"


async def test_at_the_limits_the_cohort_is_published(world: World, exact: Settings) -> None:
    await world.companies(await world.firm(), [3.0] * 5)  # 50 % and 80 % exactly
    await world.companies(await world.firm(), [2.0] * 3)
    await world.companies(await world.firm(), [4.0] * 2)
    await refresh_network(exact, world.network_id)
    assert await _reason(world) is None


async def test_parent_minus_published_children_never_yields_a_hidden_child(world: World, exact: Settings) -> None:
    """Industry C is published; its size "pequena" fails k. Without complementary suppression
    C − C:mediana − C:grande would be exactly C:pequena. The attack must not work."""
    firms = [await world.firm() for _ in range(4)]
    for f in firms:
        await world.companies(f, [3.0, 3.5], industry="C", size="mediana")
        await world.companies(f, [2.0, 2.2], industry="C", size="grande")
    await world.companies(firms[0], [1.2, 1.3], industry="C", size="pequena")  # 2 companies: below k
    await refresh_network(exact, world.network_id)

    parent = await world.cohort("overall", "", "industry", "C")
    assert parent["published"]
    children = {
        s: await world.cohort("overall", "", "industry_size", f"C:{s}") for s in ("mediana", "grande", "pequena")
    }
    assert children["pequena"]["reason"] == "k"
    hidden = [s for s, c in children.items() if not c["published"]]
    assert len(hidden) >= 2, "one more child is hidden with the small one"
    assert any(children[s]["reason"] == "complementary" for s in hidden)
    # The attacker's difference: what is left mixes several hidden children, never the small one alone.
    left = list(parent["histogram"])
    for c in children.values():
        if c["published"]:
            left = [a - b for a, b in zip(left, c["histogram"], strict=True)]
    assert left != [2, 0, 0, 0, 0]
    assert sum(left) >= 5  # the union of what is hidden passes the gates itself


async def test_colluding_firms_cannot_isolate_the_last_company(world: World, exact: Settings) -> None:
    """Two firms who know every company of a cohort but one: the two largest hold over 80 %, the
    cohort is hidden. (At exactly 80 % — 2 + 2 of 5 — it is published, and only the noise stands
    between them and the fifth company: the ε audit covers that case.)"""
    a, b, c = await world.firm(), await world.firm(), await world.firm()
    await world.companies(a, [3.0] * 4, industry="G")
    await world.companies(b, [3.0] * 4, industry="G")
    await world.companies(c, [1.1], industry="G")  # the target
    await world.companies(c, [3.0] * 4, industry="C")
    await refresh_network(exact, world.network_id)
    assert await _reason(world, "industry", "G") == "dominance"
