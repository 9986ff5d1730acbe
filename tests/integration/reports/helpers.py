"""A published-looking assessment with comments, evidence and a plan, for the report tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from ordena.assessments.models import Answer, Evidence
from ordena.companies.models import Company
from ordena.db.engine import Database
from ordena.frameworks import services as frameworks
from ordena.plans.models import Initiative
from tests.factories import FirmFixture
from tests.integration.plans.helpers import PlanWorld, generated, validated_assessment

COMMENT = "El pipeline vive en una hoja de cálculo compartida"
EVIDENCE = "Manual de ventas 2025.pdf"


@dataclass
class ReportWorld:
    plan: PlanWorld
    plan_id: uuid.UUID
    company_name: str

    @property
    def firm(self) -> FirmFixture:
        return self.plan.firm

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.plan.firm.id

    @property
    def assessment_id(self) -> uuid.UUID:
        return self.plan.assessment_id


async def report_world(
    database: Database, *, firm: FirmFixture | None = None, company_name: str | None = None, status: str = "validated"
) -> ReportWorld:
    """A validated assessment (plans' KNOWN answers), a consultant's comment, an evidence, a plan."""
    world = await validated_assessment(database, firm=firm, status=status)
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        version = await frameworks.default_version(db)
        tree = await frameworks.structure(db, version.id)
        question = next(q for q in tree.questions if q.key == "relacion_comercial.historial")
        answer = await db.scalar(
            select(Answer).where(
                Answer.tenant_id == world.tenant_id,
                Answer.assessment_id == world.assessment_id,
                Answer.question_id == question.id,
            )
        )
        assert answer is not None
        answer.comment = COMMENT
        db.add(
            Evidence(
                tenant_id=world.tenant_id,
                assessment_id=world.assessment_id,
                question_id=question.id,
                kind="link",
                title=EVIDENCE,
                url="https://example.com/manual",
            )
        )
        company = await db.get(Company, (world.tenant_id, world.company_id))
        assert company is not None
        if company_name is not None:
            company.name = company_name
        first = await db.scalar(
            select(Initiative).where(Initiative.tenant_id == world.tenant_id, Initiative.plan_id == plan_id).limit(1)
        )
        assert first is not None
        first.due_on = dt.date(2027, 3, 31)
        first.owner_contact_id = world.contact_id
        name = company.name
        await db.commit()
    return ReportWorld(world, plan_id, name)
