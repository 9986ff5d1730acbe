"""The empirical ε audit (DESIGN §11): consecutive releases with and without one company.

Two releases of the same network are computed by the refresh itself — one with a target company,
the next after its assessment left the population. The attacker, who knows everything but the
noise, guesses "the company is in" when the noisy count of its band reaches the true count with
it. Repeated with fresh noise from the production mechanism (``refresh.figures`` with
``noise_for``: OpenDP's discrete Laplace), the attacker's true- and false-positive rates give a
lower bound on the ε actually spent; it must stay within the network's ε. The same audit run on
an un-noised release must flag it.

Determinism: the population is seeded (``random.Random``); OpenDP draws its noise from a
cryptographic generator that cannot be seeded, so the decision uses Hoeffding bounds at
confidence 1 − 10⁻⁶ per rate: the verdict is fixed except with that probability.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from ordena.networks import privacy
from ordena.networks.privacy import Cell
from ordena.networks.refresh import figures, noise_for, refresh_network
from ordena.settings import Settings
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio

TRIALS = 3000
ALPHA = 1e-6


def measured_epsilon(with_x: list[int], without_x: list[int], band: int, noise: privacy.Noise) -> float:
    """A lower bound (at confidence 1 − 2·ALPHA) of the ε the attacker's test demonstrates."""
    threshold = with_x[band]

    def guesses_in(hist: list[int]) -> float:
        cell = Cell("overall", "", "all", "", sum(hist), 3, 0, 0, hist)
        hits = 0
        for _ in range(TRIALS):
            published = figures(cell, noise)
            assert published.histogram is not None
            hits += published.histogram[band] >= threshold
        return hits / TRIALS

    tpr, fpr = guesses_in(with_x), guesses_in(without_x)
    slack = math.sqrt(math.log(1 / ALPHA) / (2 * TRIALS))
    tpr_lo, fpr_hi = max(tpr - slack, 1e-12), min(fpr + slack, 1.0)
    tnr_lo, fnr_hi = max(1 - fpr - slack, 1e-12), min(1 - tpr + slack, 1.0)
    return max(math.log(tpr_lo / fpr_hi), math.log(tnr_lo / fnr_hi))


async def _consecutive_releases(world: World, exact: Settings) -> tuple[list[int], list[int], int]:
    """The refresh's true histograms of one cohort, with the target and in the next release without."""
    rnd = random.Random(2026)
    for _ in range(4):
        firm = await world.firm()
        await world.companies(firm, [rnd.uniform(1.5, 4.9) for _ in range(6)], industry="G")
    target_firm = world.firms[0]
    _, target = await world.company(target_firm, 1.1, industry="G")  # band 0
    await refresh_network(exact, world.network_id)
    with_x = list((await world.cohort("overall", "", "industry", "G"))["histogram"])
    await world.sql("UPDATE assessment SET status = 'in_progress' WHERE id = $1", target)
    second = await refresh_network(exact, world.network_id)
    assert second.number == 2
    without_x = list((await world.cohort("overall", "", "industry", "G"))["histogram"])
    assert with_x[0] == without_x[0] + 1 and with_x[1:] == without_x[1:]
    return with_x, without_x, 0


async def test_the_noised_release_spends_no_more_than_its_epsilon(world: World, exact: Settings) -> None:
    with_x, without_x, band = await _consecutive_releases(world, exact)
    noise, noised = noise_for(replace(exact, benchmark_noise=True), 1.0)
    assert noised
    assert measured_epsilon(with_x, without_x, band, noise) <= 1.0


async def test_the_audit_catches_an_unnoised_release(world: World, exact: Settings) -> None:
    with_x, without_x, band = await _consecutive_releases(world, exact)
    noise, noised = noise_for(exact, 1.0)
    assert not noised
    assert measured_epsilon(with_x, without_x, band, noise) > 1.0


async def test_colluders_at_the_80_percent_limit_face_the_noise(world: World, exact: Settings) -> None:
    """2 + 2 of 5 companies: published, and two firms know four of them. Whether the fifth is in
    band 0 or band 4 changes two counts (a replacement), so the audit's bound is 2ε."""
    a, b, c = await world.firm(), await world.firm(), await world.firm()
    await world.companies(a, [3.0, 3.0], industry="G")
    await world.companies(b, [3.0, 3.0], industry="G")
    _, fifth = await world.company(c, 1.1, industry="G")
    await refresh_network(exact, world.network_id)
    low = await world.cohort("overall", "", "industry", "G")
    assert low["published"]
    truth_low = list(low["histogram"])
    truth_high = [truth_low[0] - 1, *truth_low[1:4], truth_low[4] + 1]
    noise, _ = noise_for(replace(exact, benchmark_noise=True), 1.0)
    assert measured_epsilon(truth_low, truth_high, 0, noise) <= 2.0
    assert measured_epsilon(truth_low, truth_high, 0, privacy.no_noise) > 2.0
    assert fifth
