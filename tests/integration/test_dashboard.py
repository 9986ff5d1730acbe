"""The firm's home is a consultant dashboard: what is going on across the client portfolio,
what needs a look, the latest results and the portfolio's maturity per dimension. A new firm
sees its first steps instead; nothing of another firm ever shows."""

from __future__ import annotations

import datetime as dt
import html
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from sqlalchemy import select, update

from ordena.assessments.dashboard import load_dashboard
from ordena.assessments.models import Assessment, Respondent, ResultSnapshot
from ordena.assessments.scoring import level_of
from ordena.companies.models import Company, Contact
from ordena.db.engine import Database
from ordena.demo.content import seed_firm
from ordena.frameworks.services import default_version, structure
from ordena.lib.clock import now
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.conftest import Browser
from tests.factories import PASSWORD, FirmFixture, make_firm


async def _seeded_firm(database: Database, settings: Settings) -> FirmFixture:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    async with database.session() as db:
        tenant = await db.scalar(select(Tenant).where(Tenant.slug == firm.slug))
        assert tenant is not None
        await seed_firm(db, settings, tenant)
        await db.commit()
    return firm


async def _silence_a_respondent(database: Database, firm: FirmFixture, days: int) -> tuple[Assessment, str]:
    """The demo's half-answered self-assessment: its contact went quiet ``days`` ago."""
    async with database.session(tenant_id=firm.id) as db:
        own = await db.scalar(select(Assessment).where(Assessment.tenant_id == firm.id, Assessment.kind == "self"))
        assert own is not None and own.status == "in_progress" and own.reminder_days < days
        respondent = await db.scalar(
            select(Respondent).where(
                Respondent.tenant_id == firm.id, Respondent.assessment_id == own.id, Respondent.kind == "self"
            )
        )
        assert respondent is not None and respondent.contact_id is not None
        quiet_since = now() - dt.timedelta(days=days, hours=1)
        await db.execute(
            update(Respondent)
            .where(Respondent.tenant_id == firm.id, Respondent.id == respondent.id)
            .values(invited_at=quiet_since - dt.timedelta(days=1), last_activity_at=quiet_since)
        )
        contact = await db.scalar(
            select(Contact).where(Contact.tenant_id == firm.id, Contact.id == respondent.contact_id)
        )
        assert contact is not None
        await db.commit()
        return own, contact.name


async def _expected(database: Database, tenant_id: UUID) -> dict[str, object]:
    """The figures recomputed the slow, obvious way from every row."""
    async with database.session(tenant_id=tenant_id) as db:
        active = {
            c.id
            for c in await db.scalars(
                select(Company).where(Company.tenant_id == tenant_id, Company.archived_at.is_(None))
            )
        }
        runs = [
            a
            for a in await db.scalars(select(Assessment).where(Assessment.tenant_id == tenant_id))
            if a.company_id in active
        ]
        snaps = {
            s.assessment_id: s
            for s in await db.scalars(select(ResultSnapshot).where(ResultSnapshot.tenant_id == tenant_id))
        }
        version = await default_version(db)
        tree = await structure(db, version.id)
    published = sorted(
        (a for a in runs if a.status == "published"), key=lambda a: a.published_at or dt.datetime.min, reverse=True
    )
    latest: dict[UUID, Assessment] = {}
    for a in published:
        latest.setdefault(a.company_id, a)
    overalls = [Decimal(str(snaps[a.id].overall)) for a in latest.values() if snaps[a.id].overall is not None]
    per_dimension: dict[str, list[Decimal]] = {}
    for a in latest.values():
        for d in snaps[a.id].data["dimensions"]:
            if d["score"] is not None:
                per_dimension.setdefault(d["key"], []).append(Decimal(str(d["score"])))
    portfolio = {k: (sum(v) / len(v)).quantize(Decimal("0.01"), ROUND_DOWN) for k, v in per_dimension.items()}
    return {
        "companies": len(active),
        "in_progress": sum(a.status == "in_progress" for a in runs),
        "submitted": [a for a in runs if a.status == "submitted"],
        "published_12m": sum(
            a.published_at is not None and a.published_at >= now() - dt.timedelta(days=365) for a in published
        ),
        "average": (sum(overalls) / len(overalls)).quantize(Decimal("0.01"), ROUND_DOWN),
        "recent": published[:5],
        "portfolio": portfolio,
        "tree": tree,
    }


async def test_a_consultant_sees_the_portfolio_what_needs_attention_and_recent_results(
    database: Database, settings: Settings, client: Browser
) -> None:
    firm = await _seeded_firm(database, settings)
    silent_assessment, silent_contact = await _silence_a_respondent(database, firm, days=12)
    want = await _expected(database, firm.id)

    async with database.session(tenant_id=firm.id) as db:
        board = await load_dashboard(db, firm.id)
    s = board.stats
    assert s.companies == want["companies"] >= 6
    assert s.in_progress == want["in_progress"] >= 1
    assert s.submitted == len(want["submitted"]) >= 1  # type: ignore[arg-type]
    assert s.published_12m == want["published_12m"] >= 1
    assert s.average == want["average"] and s.average_level == level_of(want["average"])  # type: ignore[arg-type]
    assert {a.assessment_id for a in board.awaiting} == {a.id for a in want["submitted"]}  # type: ignore[attr-defined]
    assert [(r.assessment_id, r.contact, r.days) for r in board.silent] == [(silent_assessment.id, silent_contact, 12)]
    assert [r.assessment_id for r in board.recent] == [a.id for a in want["recent"]]  # type: ignore[attr-defined]
    # Every scored dimension of the default framework, weakest first, each the mean of the latest scores.
    assert {d.key: d.score for d in board.portfolio} == want["portfolio"]
    assert [d.score for d in board.portfolio] == sorted(d.score for d in board.portfolio)
    assert len(board.portfolio) == len(want["tree"].dimensions)  # type: ignore[attr-defined]

    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Necesita tu atención" in text and "Resultados recientes" in text and "Madurez de la cartera" in text
    assert "Primeros pasos" not in text
    for a in want["submitted"]:  # type: ignore[attr-defined]
        assert f'href="/w/{firm.slug}/assessments/{a.id}"' in text
    assert silent_contact in text and "sin actividad desde hace 12 días" in text
    for a in want["recent"]:  # type: ignore[attr-defined]
        assert f'href="/w/{firm.slug}/assessments/{a.id}/results"' in text
    weakest = board.portfolio[0]
    assert text.index(weakest.name) < text.index(board.portfolio[-1].name)
    assert f'<progress class="level-{weakest.level}" value="{weakest.score}" max="5"' in text
    assert f"{s.average:.2f}" in text


async def test_a_new_firm_sees_its_first_steps_and_no_one_elses_figures(
    database: Database, settings: Settings, client: Browser
) -> None:
    busy = await _seeded_firm(database, settings)
    new = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT))

    async with database.session(tenant_id=new.id) as db:
        board = await load_dashboard(db, new.id)
    assert board.is_new and board.stats.companies == board.stats.submitted == board.stats.published_12m == 0
    assert board.stats.average is None and not board.recent and not board.portfolio

    await client.login(new.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{new.slug}")
    assert page.status_code == 200
    assert "Primeros pasos" in page.text and f'href="/w/{new.slug}/companies/new"' in page.text
    assert "Madurez de la cartera" not in page.text
    async with database.session(tenant_id=busy.id) as db:
        busy_ids = [str(a) for a in await db.scalars(select(Assessment.id).where(Assessment.tenant_id == busy.id))]
    assert busy_ids and not any(i in page.text for i in busy_ids)


async def test_a_viewer_reads_the_dashboard_of_their_firm_only(
    database: Database, settings: Settings, client: Browser
) -> None:
    mine = await _seeded_firm(database, settings)
    other = await _seeded_firm(database, settings)
    async with database.session(tenant_id=other.id) as db:
        other_ids = [str(a) for a in await db.scalars(select(Assessment.id).where(Assessment.tenant_id == other.id))]
    async with database.session(tenant_id=mine.id) as db:
        board = await load_dashboard(db, mine.id)
    # The figures are this firm's own, even though the other firm has as much going on.
    assert board.stats.companies == (await _expected(database, mine.id))["companies"]

    await client.login(mine.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{mine.slug}")
    assert page.status_code == 200
    assert "Madurez de la cartera" in page.text and "Resultados recientes" in page.text
    assert other_ids and not any(i in page.text for i in other_ids)
    assert (await client.get(f"/w/{other.slug}")).status_code == 404
