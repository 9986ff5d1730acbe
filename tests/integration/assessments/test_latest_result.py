"""Each company's latest published result is kept in ``company_latest_result`` at publication, and
the dashboard's aggregates read it: after every publication (a first one, a re-assessment, a
re-assessment published before an older one) the table says exactly what the history says."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update

from ordena.assessments.answers import parse_answer, save_answer
from ordena.assessments.dashboard import load_dashboard
from ordena.assessments.lifecycle import transition
from ordena.assessments.models import Assessment, ResultDimensionScore, ResultSnapshot
from ordena.audit.services import Actor
from ordena.companies.models import Company
from ordena.companies.services import archive_company, restore_company
from ordena.demo.content import seed_firm
from ordena.frameworks.models import FrameworkVersion
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.factories import make_firm
from tests.integration.assessments.helpers import World, login, make_world, new_assessment, tree_of

Row = tuple[UUID, UUID, UUID, bool, Any, Any]
ACTOR = Actor(None, "test")


async def _table(database: Any, tenant_id: UUID) -> set[Row]:
    async with database.session(tenant_id=tenant_id) as db:
        rows = await db.execute(
            text(
                "SELECT company_id, framework_id, assessment_id, newest, overall, published_at "
                "FROM company_latest_result WHERE tenant_id = :t"
            ),
            {"t": tenant_id},
        )
        return {tuple(r) for r in rows}  # type: ignore[misc]


async def _from_history(database: Any, tenant_id: UUID) -> set[Row]:
    """The same rows recomputed the slow, obvious way from every published assessment."""
    async with database.session(tenant_id=tenant_id) as db:
        published = list(
            await db.scalars(
                select(Assessment).where(Assessment.tenant_id == tenant_id, Assessment.status == "published")
            )
        )
        framework_of = {v.id: v.framework_id for v in await db.scalars(select(FrameworkVersion))}
        overall = {
            s.assessment_id: s.overall
            for s in await db.scalars(select(ResultSnapshot).where(ResultSnapshot.tenant_id == tenant_id))
        }
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)

    def order(a: Assessment) -> tuple[int, dt.datetime, dt.datetime, UUID]:
        return (a.published_at is not None, a.published_at or oldest, a.created_at, a.id)

    best: dict[tuple[UUID, UUID], Assessment] = {}
    for a in published:
        key = (a.company_id, framework_of[a.framework_version_id])
        if key not in best or order(a) > order(best[key]):
            best[key] = a
    newest: dict[UUID, Assessment] = {}
    for a in best.values():
        if a.company_id not in newest or order(a) > order(newest[a.company_id]):
            newest[a.company_id] = a
    return {(c, f, a.id, newest[c].id == a.id, overall.get(a.id), a.published_at) for (c, f), a in best.items()}


async def _totals(database: Any, tenant_id: UUID) -> dict[tuple[UUID, str], tuple[int, int, Decimal]]:
    async with database.session(tenant_id=tenant_id) as db:
        rows = await db.execute(
            text("SELECT framework_id, scope, n, scored, total FROM portfolio_total WHERE tenant_id = :t AND n <> 0"),
            {"t": tenant_id},
        )
        return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


async def _totals_from_history(database: Any, tenant_id: UUID) -> dict[tuple[UUID, str], tuple[int, int, Decimal]]:
    """The sums recomputed from the history: the active companies' newest overall scores, and
    each dimension score of their latest run per framework."""
    latest_rows = await _from_history(database, tenant_id)
    async with database.session(tenant_id=tenant_id) as db:
        active = {
            c.id
            for c in await db.scalars(
                select(Company).where(Company.tenant_id == tenant_id, Company.archived_at.is_(None))
            )
        }
        scores = list(await db.scalars(select(ResultDimensionScore).where(ResultDimensionScore.tenant_id == tenant_id)))
    out: dict[tuple[UUID, str], tuple[int, int, Decimal]] = {}

    def add(key: tuple[UUID, str], value: Any) -> None:
        n, scored, total = out.get(key, (0, 0, Decimal(0)))
        out[key] = (n + 1, scored + (value is not None), total + (Decimal(str(value)) if value is not None else 0))

    for company, framework, assessment, newest, overall, _at in latest_rows:
        if company not in active:
            continue
        if newest:
            add((framework, ""), overall)
        for r in scores:
            if r.assessment_id == assessment:
                add((framework, r.dimension_key), r.score)
    return out


async def _agree(database: Any, tenant_id: UUID) -> set[Row]:
    """Asserts the table and the sums say what the history says; returns the rows."""
    rows = await _table(database, tenant_id)
    assert rows == await _from_history(database, tenant_id)
    assert await _totals(database, tenant_id) == await _totals_from_history(database, tenant_id)
    return rows


async def _publish(database: Any, world: World, *, level: str) -> Assessment:
    """A consultant assessment of the world's company, answered, validated and published."""
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        for q in tree.questions:
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer(level), world.actor)
        for action in ("submit", "validate", "publish"):
            await transition(db, world.tenant_id, a.id, action, world.actor, confirm=True)
        await db.commit()
    return a


async def test_the_latest_result_follows_each_publication_of_a_company(database: Any) -> None:
    world = await make_world(database)
    assert await _table(database, world.tenant_id) == set()

    first = await _publish(database, world, level="2")
    rows = await _agree(database, world.tenant_id)
    assert [(r[2], r[3]) for r in rows] == [(first.id, True)]

    # The re-assessment replaces it; the dashboard's average is the re-assessment's score.
    second = await _publish(database, world, level="4")
    rows = await _agree(database, world.tenant_id)
    assert [(r[2], r[3]) for r in rows] == [(second.id, True)]
    async with database.session(tenant_id=world.tenant_id) as db:
        board = await load_dashboard(db, world.tenant_id)
        snap = await db.scalar(select(ResultSnapshot.overall).where(ResultSnapshot.assessment_id == second.id))
    assert board.stats.assessed_companies == 1 and board.stats.average == snap
    assert {d.companies for d in board.portfolio} == {1}


async def test_a_run_published_with_an_older_date_does_not_replace_the_newer_one(database: Any) -> None:
    world = await make_world(database)
    newer = await _publish(database, world, level="3")
    older = await _publish(database, world, level="5")
    # Backdated behind the service's back (as the demo does), then the company's rows recomputed.
    async with database.session(tenant_id=world.tenant_id) as db:
        await db.execute(
            update(Assessment)
            .where(Assessment.tenant_id == world.tenant_id, Assessment.id == older.id)
            .values(published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        )
        from ordena.assessments import latest
        from ordena.db.driver import driver

        await latest.refresh(await driver(db), world.tenant_id, world.company.id)
        await db.commit()
    rows = await _agree(database, world.tenant_id)
    assert [r[2] for r in rows] == [newer.id]


async def test_the_demo_portfolio_agrees_with_its_history_and_archived_companies_leave_the_figures(
    database: Any, settings: Settings
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT))
    async with database.session() as db:
        tenant = await db.scalar(select(Tenant).where(Tenant.slug == firm.slug))
        assert tenant is not None
        await seed_firm(db, settings, tenant)
        await db.commit()
    rows = await _agree(database, firm.id)
    assert len(rows) >= 6

    async with database.session(tenant_id=firm.id) as db:
        before = await load_dashboard(db, firm.id)
    gone = next(r[0] for r in rows if r[3])
    async with database.session(tenant_id=firm.id) as db:
        company = await db.scalar(select(Company).where(Company.tenant_id == firm.id, Company.id == gone))
        assert company is not None
        await archive_company(db, firm.id, ACTOR, company)
        await db.commit()
    await _agree(database, firm.id)
    async with database.session(tenant_id=firm.id) as db:
        after = await load_dashboard(db, firm.id)
    assert after.stats.assessed_companies == before.stats.assessed_companies - 1
    assert after.portfolio_companies == before.portfolio_companies - 1

    async with database.session(tenant_id=firm.id) as db:
        company = await db.scalar(select(Company).where(Company.tenant_id == firm.id, Company.id == gone))
        assert company is not None
        await restore_company(db, firm.id, ACTOR, company)
        await db.commit()
    await _agree(database, firm.id)
    async with database.session(tenant_id=firm.id) as db:
        again = await load_dashboard(db, firm.id)
    assert again.stats == before.stats and again.portfolio == before.portfolio


async def test_another_firms_latest_results_are_neither_seen_nor_counted(database: Any) -> None:
    world = await make_world(database)
    await _publish(database, world, level="4")
    other = await make_firm(database, roles=(Role.OWNER,))
    assert await _table(database, other.id) == set()
    async with database.session(tenant_id=other.id) as db:
        # Even asking for the first firm's rows by its id: row-level security shows none.
        seen = await db.scalar(
            text("SELECT count(*) FROM company_latest_result WHERE tenant_id = :t"), {"t": world.tenant_id}
        )
        board = await load_dashboard(db, other.id)
    assert seen == 0 and board.stats.assessed_companies == 0


async def test_the_dashboard_reads_the_same_whether_the_framework_tree_is_cached_or_not(
    database: Any, client: Any
) -> None:
    """The page reads on the driver when the default framework's tree is cached in the process,
    and through the ORM the first time (after a new version): the same page either way."""
    from ordena.frameworks import services as frameworks

    world = await make_world(database)
    await _publish(database, world, level="3")
    await login(client, world)
    frameworks._TREES._trees.clear()  # a process's first dashboard
    cold = await client.get(f"/w/{world.firm.slug}")
    assert len(frameworks._TREES) == 1  # the tree was read through the ORM and kept
    warm = await client.get(f"/w/{world.firm.slug}")
    assert cold.status_code == warm.status_code == 200
    assert "Madurez de la cartera" in warm.text and "<progress" in warm.text
    strip = re.compile(r'name="_csrf" value="[^"]*"|"X-CSRF-Token": "[^"]*"')
    assert strip.sub("", cold.text) == strip.sub("", warm.text)
