"""The firm's company counts (``company_count``) and its publications per day
(``publication_day``) are kept by every change, so that the company list and the dashboard read
them instead of counting the firm's history: after each kind of change (a company created,
imported, refused, archived, restored; a publication; a publication moved to another day),
also when changes of one firm run at the same time, the tables say what a fresh count says.
Another firm neither sees nor moves them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select, text, update

from ordena.assessments import latest
from ordena.assessments.answers import parse_answer, save_answer
from ordena.assessments.dashboard import load_dashboard
from ordena.assessments.lifecycle import transition
from ordena.assessments.models import Assessment
from ordena.audit.services import Actor
from ordena.companies import counts, queries, services
from ordena.companies.jobs import import_row
from ordena.companies.models import Company
from ordena.db.driver import driver
from ordena.demo.content import seed_firm
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.factories import make_firm
from tests.integration.assessments.helpers import World, make_world, new_assessment, tree_of
from tests.integration.companies.helpers import add_company

ACTOR = Actor(None, "test")
LIMA = ZoneInfo("America/Lima")
Figures = tuple[tuple[int, int], dict[dt.date, int]]


async def _kept(database: Any, tenant_id: UUID) -> Figures:
    async with database.session(tenant_id=tenant_id) as db:
        con = await driver(db)
        companies = await counts.read(con, tenant_id)
        days = {
            r["day"]: r["n"]
            for r in await con.fetch("SELECT day, n FROM publication_day WHERE tenant_id = $1 AND n <> 0", tenant_id)
        }
    return companies, days


async def _counted(database: Any, tenant_id: UUID) -> Figures:
    """The same figures counted the slow, obvious way from every row."""
    async with database.session(tenant_id=tenant_id) as db:
        companies = list(await db.scalars(select(Company).where(Company.tenant_id == tenant_id)))
        published = list(
            await db.scalars(
                select(Assessment).where(Assessment.tenant_id == tenant_id, Assessment.status == "published")
            )
        )
    active = {c.id for c in companies if c.archived_at is None}
    days = Counter(
        a.published_at.astimezone(LIMA).date() for a in published if a.company_id in active and a.published_at
    )
    return (len(active), len(companies) - len(active)), dict(days)


async def _agree(database: Any, tenant_id: UUID) -> Figures:
    kept = await _kept(database, tenant_id)
    assert kept == await _counted(database, tenant_id)
    return kept


async def _archive(database: Any, tenant_id: UUID, company_id: UUID, *, restore: bool = False) -> None:
    async with database.session(tenant_id=tenant_id) as db:
        company = await db.get(Company, (tenant_id, company_id))
        assert company is not None
        if restore:
            await services.restore_company(db, tenant_id, ACTOR, company)
        else:
            await services.archive_company(db, tenant_id, ACTOR, company)
        await db.commit()


async def _publish(database: Any, world: World, *, level: str = "3", publish: bool = True) -> Assessment:
    """A consultant assessment answered, submitted, validated and (unless told) published."""
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        for q in tree.questions:
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer(level), world.actor)
        for action in ("submit", "validate", "publish") if publish else ("submit", "validate"):
            await transition(db, world.tenant_id, a.id, action, world.actor, confirm=True)
        await db.commit()
    return a


async def _list_total(database: Any, tenant_id: UUID, **filters: str) -> int:
    async with database.session(tenant_id=tenant_id) as db:
        page = await queries.company_page(await driver(db), tenant_id, services.CompanyFilters.of(**filters))
    return page.total


async def test_the_company_counts_follow_every_change_of_a_firms_companies(database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    assert await _agree(database, firm.id) == ((0, 0), {})

    made = [await add_company(database, firm.id, name=f"Cliente {i}") for i in range(3)]
    assert await _agree(database, firm.id) == ((3, 0), {})

    await _archive(database, firm.id, made[0].id)
    await _archive(database, firm.id, made[0].id)  # archiving twice changes nothing
    assert await _agree(database, firm.id) == ((2, 1), {})
    await _archive(database, firm.id, made[0].id, restore=True)
    assert await _agree(database, firm.id) == ((3, 0), {})

    # An import: a row whose contact is refused leaves no company behind, nor a count.
    async with database.session(tenant_id=firm.id) as db:
        good = {"name": "Importada SAC", "industry_section": "G", "size_band": "micro"}
        bad = {**good, "name": "Con mal contacto", "contact_name": "Ana", "contact_email": "no-es-un-correo"}
        assert await import_row(db, firm.id, ACTOR, good) is None
        assert await import_row(db, firm.id, ACTOR, bad) is not None
        await db.commit()
    assert await _agree(database, firm.id) == ((4, 0), {})

    # A creation rolled back takes its count with it.
    async with database.session(tenant_id=firm.id) as db:
        await services.create_company(db, firm.id, ACTOR, {**good, "name": "Nunca guardada"})
        await db.rollback()
    assert await _agree(database, firm.id) == ((4, 0), {})

    # The list's unfiltered pages read the counts; a search or filter counts its matches.
    await _archive(database, firm.id, made[1].id)
    assert await _list_total(database, firm.id) == 3
    assert await _list_total(database, firm.id, status="archived") == 1
    assert await _list_total(database, firm.id, status="all") == 4
    assert await _list_total(database, firm.id, q="Cliente") == 2
    assert await _list_total(database, firm.id, q="Cliente", status="all") == 3
    async with database.session(tenant_id=firm.id) as db:
        stats = (await load_dashboard(db, firm.id)).stats
    assert (stats.companies, stats.companies_total) == (3, 4)


async def test_the_publications_per_day_follow_publications_archiving_and_restoring(database: Any) -> None:
    world = await make_world(database)
    await _publish(database, world, level="2")
    moved = await _publish(database, world, level="4")
    today = dt.datetime.now(LIMA).date()
    assert await _agree(database, world.tenant_id) == ((1, 0), {today: 2})

    async def published_12m() -> int:
        async with database.session(tenant_id=world.tenant_id) as db:
            return (await load_dashboard(db, world.tenant_id)).stats.published_12m

    assert await published_12m() == 2

    # An archived company's publications leave the count, and come back with it.
    await _archive(database, world.tenant_id, world.company.id)
    assert await _agree(database, world.tenant_id) == ((0, 1), {})
    assert await published_12m() == 0
    await _archive(database, world.tenant_id, world.company.id, restore=True)
    assert await _agree(database, world.tenant_id) == ((1, 0), {today: 2})

    # A publication moved into the past (as the demo backdates its runs) moves to its day, and
    # out of the last 12 months.
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    async with database.session(tenant_id=world.tenant_id) as db:
        con = await driver(db)
        await latest.count_publication(con, world.tenant_id, moved.id, -1)
        await db.execute(
            update(Assessment)
            .where(Assessment.tenant_id == world.tenant_id, Assessment.id == moved.id)
            .values(published_at=long_ago)
        )
        await latest.count_publication(con, world.tenant_id, moved.id, 1)
        await db.commit()
    assert await _agree(database, world.tenant_id) == ((1, 0), {today: 1, long_ago.astimezone(LIMA).date(): 1})
    assert await published_12m() == 1


async def test_changes_of_one_firm_at_the_same_time_leave_exact_counts(database: Any) -> None:
    world = await make_world(database)
    await _publish(database, world)
    validated = await _publish(database, world, level="4", publish=False)
    others = [await add_company(database, world.tenant_id, name=f"Otra {i}") for i in range(2)]
    await _archive(database, world.tenant_id, others[1].id)

    async def create(i: int) -> None:
        await add_company(database, world.tenant_id, name=f"Simultánea {i}")

    async def publish() -> None:
        async with database.session(tenant_id=world.tenant_id) as db:
            await transition(db, world.tenant_id, validated.id, "publish", world.actor, confirm=True)
            await db.commit()

    # Companies created, one archived and another restored while the world's company publishes
    # and is archived: each waits for the rows the other holds, none is lost or counted twice.
    await asyncio.gather(
        create(1),
        create(2),
        publish(),
        _archive(database, world.tenant_id, world.company.id),
        _archive(database, world.tenant_id, others[0].id),
        _archive(database, world.tenant_id, others[1].id, restore=True),
    )
    assert await _agree(database, world.tenant_id) == ((3, 2), {})
    await _archive(database, world.tenant_id, world.company.id, restore=True)
    today = dt.datetime.now(LIMA).date()
    assert await _agree(database, world.tenant_id) == ((4, 1), {today: 2})


async def test_another_firms_counts_are_neither_seen_nor_moved(database: Any) -> None:
    world = await make_world(database)
    await _publish(database, world)
    await add_company(database, world.tenant_id, name="Segunda")
    mine = await _agree(database, world.tenant_id)

    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, other.id, name="De la otra firma")
    async with database.session(tenant_id=other.id) as db:
        # Even asking for the first firm's rows by its id: row-level security shows none.
        seen = await db.scalar(
            text(
                "SELECT (SELECT count(*) FROM company_count WHERE tenant_id = :t)"
                " + (SELECT count(*) FROM publication_day WHERE tenant_id = :t)"
            ),
            {"t": world.tenant_id},
        )
        stats = (await load_dashboard(db, other.id)).stats
    assert seen == 0
    assert (stats.companies, stats.published_12m) == (1, 0)
    assert await _agree(database, other.id) == ((1, 0), {})
    assert await _agree(database, world.tenant_id) == mine


async def test_the_demo_and_a_bulk_rebuild_agree_with_the_tables(database: Any, settings: Settings) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT))
    async with database.session() as db:
        tenant = await db.scalar(select(Tenant).where(Tenant.slug == firm.slug))
        assert tenant is not None
        await seed_firm(db, settings, tenant)  # backdates its runs over the past year
        await db.commit()
    kept = await _agree(database, firm.id)
    assert kept[0][0] >= 7 and sum(kept[1].values()) >= 6

    # What bulk writers (the scale generators, the migration) count from scratch is the same.
    async with database.session(tenant_id=firm.id) as db:
        await latest.rebuild_totals(await driver(db), [firm.id])
        await db.commit()
    assert await _kept(database, firm.id) == kept


def _migration() -> Any:
    """Migration 0022 as a module (its file name starts with a digit)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[3] / "migrations" / "versions" / "0022_firm_counts.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_migration_fills_the_counts_of_a_firm_that_had_a_history(database: Any, owner_engine: Any) -> None:
    world = await make_world(database)
    await _publish(database, world)
    archived = await add_company(database, world.tenant_id, name="Archivada")
    await _archive(database, world.tenant_id, archived.id)
    kept = await _agree(database, world.tenant_id)
    m = _migration()
    only_this_firm = {"t": world.tenant_id}
    async with owner_engine.connect() as conn:
        tx = await conn.begin()
        # The firm as it was before 0022: no rows; the migration's statements fill them (for this
        # firm only here, other tests share the database).
        await conn.execute(text("DELETE FROM company_count WHERE tenant_id = :t"), only_this_firm)
        await conn.execute(text("DELETE FROM publication_day WHERE tenant_id = :t"), only_this_firm)
        await conn.execute(text(m.COMPANY_COUNTS.replace("WHERE true", "WHERE t.id = :t")), only_this_firm)
        await conn.execute(text(m.PUBLICATIONS.replace("AND true", "AND a.tenant_id = :t")), only_this_firm)
        companies = (await conn.execute(text(counts._READ.replace("$1", ":t")), only_this_firm)).one()
        days = dict(
            (await conn.execute(text("SELECT day, n FROM publication_day WHERE tenant_id = :t"), only_this_firm)).all()
        )
        await tx.rollback()
    assert ((companies[0], companies[1]), days) == kept == ((1, 1), {dt.datetime.now(LIMA).date(): 1})
