"""Plans with initiatives, owners and dates for the board, timeline, contact, reminder and progress tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordena.assessments.models import Assessment, ResultDimensionScore, ResultSnapshot
from ordena.companies.models import Contact
from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.plans.models import Initiative, InitiativeDependency, Plan
from tests.integration.results.helpers import make_assessment


async def published_with_scores(
    database: Database,
    tenant_id: uuid.UUID,
    scores: dict[str, str],
    *,
    title: str,
    company_id: uuid.UUID | None = None,
    baseline_id: uuid.UUID | None = None,
    targets: dict[str, int] | None = None,
    published_at: dt.datetime | None = None,
) -> Assessment:
    """A published consultant assessment whose stored snapshot and flat scores hold exactly ``scores``."""
    made = await make_assessment(
        database, tenant_id, kind="consultant", status="published", consultant={}, company_id=company_id, title=title
    )
    async with database.session(tenant_id=tenant_id) as db:
        a = await db.get(Assessment, (tenant_id, made.assessment_id))
        assert a is not None
        a.baseline_id = baseline_id
        a.targets = targets or {}
        a.published_at = published_at or now()
        db.add(
            ResultSnapshot(
                tenant_id=tenant_id,
                assessment_id=a.id,
                data={"dimensions": [{"key": k, "score": v} for k, v in scores.items()]},
            )
        )
        # And the flat rows publishing writes beside the snapshot (aggregates read those).
        for key, score in scores.items():
            db.add(
                ResultDimensionScore(
                    tenant_id=tenant_id,
                    assessment_id=a.id,
                    company_id=a.company_id,
                    dimension_key=key,
                    score=Decimal(score),
                )
            )
        await db.commit()
        await db.refresh(a)
    return a


@dataclass
class Item:
    title: str
    dimension_key: str = "ventas"
    status: str = "pending"
    priority: int = 2
    progress: int = 0
    due_on: dt.date | None = None
    start_on: dt.date | None = None
    owner_contact_id: uuid.UUID | None = None
    owner_user_id: uuid.UUID | None = None
    blocked_reason: str = ""


async def make_plan(
    database: Database, tenant_id: uuid.UUID, assessment: Assessment, items: list[Item], *, title: str = "Plan 2024"
) -> tuple[Plan, list[Initiative]]:
    async with database.session(tenant_id=tenant_id) as db:
        plan = Plan(tenant_id=tenant_id, assessment_id=assessment.id, company_id=assessment.company_id, title=title)
        db.add(plan)
        await db.flush()
        out = []
        for n, item in enumerate(items):
            done = item.status == "done"
            i = Initiative(
                tenant_id=tenant_id,
                plan_id=plan.id,
                position=n,
                title=item.title,
                dimension_key=item.dimension_key,
                status=item.status,
                priority=item.priority,
                progress=100 if done else item.progress,
                due_on=item.due_on,
                start_on=item.start_on,
                owner_contact_id=item.owner_contact_id,
                owner_user_id=item.owner_user_id,
                blocked_reason=item.blocked_reason or ("Falta presupuesto" if item.status == "blocked" else ""),
                completed_at=now() if done else None,
            )
            db.add(i)
            out.append(i)
        await db.commit()
        for i in out:
            await db.refresh(i)
        await db.refresh(plan)
    return plan, out


async def depend(database: Database, tenant_id: uuid.UUID, after: Initiative, before: Initiative) -> None:
    async with database.session(tenant_id=tenant_id) as db:
        db.add(InitiativeDependency(tenant_id=tenant_id, initiative_id=after.id, depends_on_id=before.id))
        await db.commit()


async def add_contact(database: Database, tenant_id: uuid.UUID, company_id: uuid.UUID, name: str) -> Contact:
    async with database.session(tenant_id=tenant_id) as db:
        c = Contact(tenant_id=tenant_id, company_id=company_id, name=name, email=f"{uuid.uuid4().hex[:8]}@example.com")
        db.add(c)
        await db.commit()
        await db.refresh(c)
    return c


def dec(value: Any) -> Decimal:
    return Decimal(str(value))
