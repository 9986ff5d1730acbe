"""`ordena demo` shows a living product: client companies, published assessments with a history,
one assessment waiting for validation and one self-assessment in progress; seeding twice adds nothing."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import func, select
from stdnum.pe import ruc as pe_ruc

from ordena.assessments.models import Answer, Assessment, Respondent, ResultSnapshot
from ordena.assessments.results import compute_results, history
from ordena.audit.models import AuditEvent
from ordena.companies.models import Company, Contact
from ordena.db.engine import Database
from ordena.demo.content import SeedSummary, seed_firm
from ordena.lib.clock import now
from ordena.plans.board import AtRisk, plans_at_risk
from ordena.plans.models import Initiative, Plan
from ordena.plans.progress import plan_progress
from ordena.settings import Settings
from ordena.tenancy.models import Role, Tenant
from tests.conftest import Browser
from tests.factories import PASSWORD, make_firm


async def _seed(database: Database, settings: Settings, slug: str) -> SeedSummary:
    async with database.session() as db:
        tenant = await db.scalar(select(Tenant).where(Tenant.slug == slug))
        assert tenant is not None
        summary = await seed_firm(db, settings, tenant)
        await db.commit()
    return summary


async def _counts(database: Database, tenant_id: UUID) -> dict[str, int]:
    """Rows the seed wrote. The mail the first seed queued (results to contacts) is sent by the
    background worker whenever it runs, and each send writes a "notify" audit line: those are the
    worker's, not the seed's, and are left out so that the count does not race the worker."""
    async with database.session(tenant_id=tenant_id) as db:
        counts = {
            model.__tablename__: int(
                await db.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant_id)) or 0
            )
            for model in (Company, Contact, Assessment, Answer, Respondent, ResultSnapshot, Plan, Initiative)
        }
        counts["audit_event"] = int(
            await db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.tenant_id == tenant_id, AuditEvent.action != "notify")
            )
            or 0
        )
    return counts


async def test_the_demo_seeds_companies_and_assessments_at_every_stage_once(
    database: Database, settings: Settings, client: Browser
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT))
    summary = await _seed(database, settings, firm.slug)
    assert not summary.skipped
    assert 6 <= summary.companies <= 10

    async with database.session(tenant_id=firm.id) as db:
        companies = list(await db.scalars(select(Company).where(Company.tenant_id == firm.id)))
        assert len(companies) == summary.companies
        assert len({c.industry_section for c in companies}) >= 4 and len({c.size_band for c in companies}) >= 3
        for company in companies:
            assert company.ruc is not None and pe_ruc.is_valid(company.ruc)
        contacts = list(await db.scalars(select(Contact).where(Contact.tenant_id == firm.id)))
        assert {c.company_id for c in contacts} == {c.id for c in companies}
        assert all(c.email.endswith(".demo") for c in contacts)

        runs = list(await db.scalars(select(Assessment).where(Assessment.tenant_id == firm.id)))
        published = [a for a in runs if a.status == "published"]
        assert len(published) == summary.published >= len(companies) // 2
        snapshots = set(
            await db.scalars(select(ResultSnapshot.assessment_id).where(ResultSnapshot.tenant_id == firm.id))
        )
        assert snapshots == {a.id for a in published}
        # Published in the past, not at the moment of seeding.
        assert all(a.published_at is not None and a.published_at < now() - dt.timedelta(days=14) for a in published)
        publish_audits = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.tenant_id == firm.id, AuditEvent.action == "publish")
        )
        assert publish_audits == len(published)

        # Re-assessments from a baseline: two points of history, and the company improved.
        reruns = [a for a in published if a.baseline_id is not None]
        assert len(reruns) == summary.reassessed >= 2
        points = await history(db, firm.id, reruns[0].company_id)
        assert [p.assessment_id for p in points] == [reruns[0].baseline_id, reruns[0].id]
        assert points[0].published_at is not None and points[1].published_at is not None
        assert points[1].published_at - points[0].published_at > dt.timedelta(days=200)
        assert points[1].overall is not None and points[0].overall is not None and points[1].overall > points[0].overall

        # Consultant and client side by side, waiting for validation: the perception gap shows.
        (both,) = [a for a in runs if a.kind == "both"]
        assert both.status == "submitted"
        self_side = await db.scalar(
            select(Respondent).where(
                Respondent.tenant_id == firm.id, Respondent.assessment_id == both.id, Respondent.kind == "self"
            )
        )
        assert self_side is not None and self_side.submitted_at is not None
        results = await compute_results(db, firm.id, both.id)
        assert results.has_perception_gap
        assert any(d.gap is not None and d.gap > 0 for d in results.dimensions)
        assert results.blind_spots

        # A self-assessment half answered by an invited contact.
        (own,) = [a for a in runs if a.kind == "self"]
        assert own.status == "in_progress"
        respondent = await db.scalar(
            select(Respondent).where(Respondent.tenant_id == firm.id, Respondent.assessment_id == own.id)
        )
        assert respondent is not None and respondent.invited_at is not None and respondent.submitted_at is None
        answered = await db.scalar(
            select(func.count()).select_from(Answer).where(Answer.tenant_id == firm.id, Answer.assessment_id == own.id)
        )
        assert results.dimensions and 0.3 < int(answered or 0) / sum(d.questions for d in results.dimensions) < 0.7

    at_risk = await _check_plans(database, firm.id, summary)

    before = await _counts(database, firm.id)
    again = await _seed(database, settings, firm.slug)
    assert again.skipped and again.companies == summary.companies
    assert await _counts(database, firm.id) == before

    # The pages a visitor opens first show it.
    await client.login(firm.email(Role.OWNER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/companies")
    assert page.status_code == 200 and companies[0].name.split()[0] in page.text
    for assessment in (reruns[0], both):
        page = await client.get(f"/w/{firm.slug}/assessments/{assessment.id}/results")
        assert page.status_code == 200, page.text[:300]
        assert ('id="results-gap"' if assessment is both else 'id="results-history"') in page.text
    page = await client.get(f"/w/{firm.slug}/assessments/{reruns[0].id}/progress")
    assert page.status_code == 200 and "%" in page.text
    page = await client.get(f"/w/{firm.slug}")
    assert page.status_code == 200
    assert any(r.title in page.text for r in at_risk)


async def _check_plans(database: Database, tenant_id: UUID, summary: SeedSummary) -> list[AtRisk]:
    """Every first diagnosis has its plan, worked on: done before the re-assessments (the closed
    loop has completed initiatives and an attainment rate), late and blocked ones elsewhere."""
    async with database.session(tenant_id=tenant_id) as db:
        runs = list(await db.scalars(select(Assessment).where(Assessment.tenant_id == tenant_id)))
        firsts = {a.id for a in runs if a.status == "published" and a.baseline_id is None}
        plans = list(await db.scalars(select(Plan).where(Plan.tenant_id == tenant_id)))
        assert {p.assessment_id for p in plans} == firsts and summary.plans == len(plans) >= 5
        initiatives = list(await db.scalars(select(Initiative).where(Initiative.tenant_id == tenant_id)))
        statuses = {i.status for i in initiatives}
        assert {"done", "in_progress", "blocked", "pending"} <= statuses
        assert any(i.owner_contact_id for i in initiatives) and any(i.owner_user_id for i in initiatives)
        assert all(i.completed_at is not None and i.completed_at < now() for i in initiatives if i.status == "done")
        assert all(p.created_at < now() - dt.timedelta(days=200) for p in plans)

        closed_loops = 0
        for rerun in (a for a in runs if a.status == "published" and a.baseline_id is not None):
            progress = await plan_progress(db, tenant_id, rerun.id)
            assert progress.plan_id is not None
            if progress.planned_total == 0:
                continue  # the first run left no gaps (a large, mature company): an empty plan
            assert progress.completed_total > 0 and progress.attainment_rate is not None
            # Done before the re-assessment started.
            done = [c for d in progress.dimensions for c in d.completed]
            assert all(c.completed_on is not None and c.completed_on < rerun.created_at.date() for c in done)
            closed_loops += 1
        assert closed_loops >= 1

        at_risk = await plans_at_risk(db, tenant_id)
        assert {"overdue", "blocked"} <= {r.reason for r in at_risk}
        return at_risk
