"""Networks in tests: a network with an admin, firms that consented, and — until the release
engine is merged — release rows written directly by a TEST HELPER (``insert_test_release``).
Product code never writes figures it did not compute; only tests call this module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordena.accounts.models import User
from ordena.db.engine import Database
from ordena.frameworks.services import default_version, structure
from ordena.lib.clock import now
from ordena.networks import services as networks
from ordena.networks.models import BenchmarkCohort, BenchmarkPractice, BenchmarkRelease, Network
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import enter_firm
from tests.factories import _HASH, unique


@dataclass
class NetworkFixture:
    network: Network
    admin: User

    @property
    def slug(self) -> str:
        return self.network.slug


async def make_network(database: Database, *, name: str | None = None) -> NetworkFixture:
    slug = unique("red")
    async with database.session() as db:
        network = await networks.create_network(db, slug=slug, name=name or f"Red {slug}")
        admin = User(email=f"admin.{slug}@example.test", name=f"Admin {slug[-4:]}", password_hash=_HASH)
        db.add(admin)
        await db.flush()
        await networks.add_admin(db, network.id, admin.id)
        await db.commit()
    return NetworkFixture(network, admin)


async def join_network(database: Database, tenant: Tenant, network: Network, *, consent: bool = True) -> None:
    async with database.session() as db:
        await enter_firm(db, tenant, None)
        await networks.join(db, tenant.id, network.id, consent_by="test" if consent else None)
        await db.commit()


def _stats(hist: list[int]) -> dict[str, Decimal]:
    """Mean and percentiles of a histogram over levels 1–5 (the lower level at each quantile);
    test data only: the engine computes the real ones."""
    total = sum(hist)
    mean = sum((i + 1) * c for i, c in enumerate(hist)) / total

    def q(p: float) -> Decimal:
        acc = 0
        for i, c in enumerate(hist):
            acc += c
            if acc >= p * total:
                return Decimal(i + 1)
        return Decimal(5)

    return {
        "mean": Decimal(f"{mean:.3f}"),
        "p10": q(0.1),
        "p25": q(0.25),
        "p50": q(0.5),
        "p75": q(0.75),
        "p90": q(0.9),
    }


# (slice kind, value, published, reason) of the test release: one published slice, one hidden by
# k, one hidden by complementary suppression.
TEST_SLICES = (
    ("all", "", True, None),
    ("industry", "C", True, None),
    ("size", "micro", False, "k"),
    ("industry_size", "C:micro", False, "complementary"),
)


async def insert_test_release(
    database: Database,
    network: Network,
    *,
    number: int = 1,
    released_at: dt.datetime | None = None,
    shift: int = 0,
    summary: dict[str, Any] | None = None,
) -> BenchmarkRelease:
    """TEST HELPER: one release of made-up figures over the default framework's lattice."""
    at = released_at or now() - dt.timedelta(days=1)
    async with database.session() as db:
        tree = await structure(db, (await default_version(db)).id)
        release = BenchmarkRelease(
            network_id=network.id,
            number=number,
            as_of=at.date(),
            released_at=at,
            framework_id=tree.framework_id,
            k=network.min_companies,
            min_firms=network.min_firms,
            epsilon=network.epsilon,
            noised=True,
            summary=summary or {"firms": 6, "companies_per_firm": {"1-4": 2, "5-9": 3, "10-19": 1}},
        )
        db.add(release)
        await db.flush()
        scopes = [("overall", "")] + [("pillar", p.key) for p in tree.pillars]
        scopes += [("dimension", d.key) for d in tree.dimensions]
        for s, (kind, value, published, reason) in enumerate(TEST_SLICES):
            for i, (scope_kind, scope_key) in enumerate(scopes):
                hist = [1 + (i + s) % 3, 4 + shift, 6 + (i % 4), 3 + shift, 1 + (i % 2)]
                figures: dict[str, Any] = {"histogram": hist, "n_band": "10-19", **_stats(hist)} if published else {}
                db.add(
                    BenchmarkCohort(
                        release_id=release.id,
                        scope_kind=scope_kind,
                        scope_key=scope_key,
                        slice_kind=kind,
                        slice_value=value,
                        published=published,
                        reason=reason,
                        **figures,
                    )
                )
            for j, q in enumerate(tree.questions[:6]):
                db.add(
                    BenchmarkPractice(
                        release_id=release.id,
                        question_key=q.key,
                        dimension_key=q.dimension_key,
                        slice_kind=kind,
                        slice_value=value,
                        published=published,
                        reason=reason,
                        n_band="10-19" if published else None,
                        share_low=Decimal(f"0.{70 - 7 * j:02d}") if published else None,
                    )
                )
        await db.commit()
        return release
