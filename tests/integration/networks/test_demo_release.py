"""`ordena demo` ends with a real benchmark release of the demo network (tenants/demo): the
engine runs as the refresh role over the six consenting firms' published assessments, some
cohorts are published and some hidden; a second run within the week makes no second release."""

from __future__ import annotations

from sqlalchemy import func, select

from ordena.db.engine import Database
from ordena.demo.prepare import seed_content
from ordena.demo.release import release_demo_networks
from ordena.networks.models import BenchmarkCohort, BenchmarkRelease, Network
from ordena.settings import Settings
from ordena.tenancy.manifests import load_manifests, sync_path


async def test_the_demo_network_gets_a_release_with_published_and_hidden_cohorts_once(
    database: Database, settings: Settings
) -> None:
    demo = settings.tenants_dir / "demo"
    await sync_path(settings, demo)
    firms, networks = load_manifests(demo)
    await seed_content(settings, [f["slug"] for f in firms])

    lines = await release_demo_networks(settings, [n["slug"] for n in networks])
    assert any("release 1 as of" in line for line in lines), lines

    async with database.session() as db:
        network = await db.scalar(select(Network).where(Network.slug == "red-alianza"))
        assert network is not None and network.framework_id is not None
        release = await db.scalar(select(BenchmarkRelease).where(BenchmarkRelease.network_id == network.id))
        assert release is not None and release.framework_id == network.framework_id
        assert release.summary["firms"] == 6  # Consultores del Sur has not consented
        counts = dict(
            (
                await db.execute(
                    select(BenchmarkCohort.published, func.count())
                    .where(BenchmarkCohort.release_id == release.id)
                    .group_by(BenchmarkCohort.published)
                )
            ).all()
        )
        assert counts.get(True, 0) > 0 and counts.get(False, 0) > 0, counts
        overall = await db.scalar(
            select(BenchmarkCohort).where(
                BenchmarkCohort.release_id == release.id,
                BenchmarkCohort.scope_kind == "overall",
                BenchmarkCohort.slice_kind == "all",
            )
        )
        assert overall is not None and overall.published and overall.p50 is not None

    again = await release_demo_networks(settings, [n["slug"] for n in networks])
    assert any("no new release" in line for line in again), again
    async with database.session() as db:
        releases = await db.scalar(
            select(func.count()).select_from(BenchmarkRelease).where(BenchmarkRelease.network_id == network.id)
        )
    assert releases == 1
