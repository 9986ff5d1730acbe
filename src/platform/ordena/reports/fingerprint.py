"""The content fingerprint of an assessment's report: when it changes, a report made earlier is
out of date and asking for one again makes a new file.

It hashes what the report shows without reading it: for each table the report reads, the number
of the assessment's rows and their latest ``updated_at`` (a deletion changes the count, an edit
the time), plus the firm's branding, the company, the company's published runs (history), the
layout's version, and the network release the peer section reads (a new release, or the firm
leaving the network, changes what a published assessment's PDF shows). Two statements.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.models import Answer, Assessment, DimensionOverride, Evidence
from ordena.companies.models import Company, Contact
from ordena.db.driver import driver
from ordena.networks.lookup import shown_release
from ordena.plans.models import Initiative, Plan
from ordena.tenancy.models import Tenant

# Bump when the report's layout or content changes, so that every stored report is remade.
LAYOUT_VERSION = "2"


def _stats(model: Any, tenant_id: UUID, *where: Any) -> Any:
    return (
        select(func.concat(func.count(), "@", func.max(model.updated_at)))
        .where(model.tenant_id == tenant_id, *where)
        .scalar_subquery()
    )


async def content_fingerprint(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> str:
    assessment = (
        select(Assessment.company_id).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
    ).scalar_subquery()
    baseline = (
        select(Assessment.baseline_id).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
    ).scalar_subquery()
    plan_ids = select(Plan.id).where(Plan.tenant_id == tenant_id, Plan.assessment_id == assessment_id)
    # The closed loop reads the baseline's plan.
    baseline_plan_ids = select(Plan.id).where(Plan.tenant_id == tenant_id, Plan.assessment_id == baseline)
    row = (
        await db.execute(
            select(
                _stats(Assessment, tenant_id, Assessment.id == assessment_id),
                _stats(Answer, tenant_id, Answer.assessment_id == assessment_id),
                _stats(DimensionOverride, tenant_id, DimensionOverride.assessment_id == assessment_id),
                _stats(Evidence, tenant_id, Evidence.assessment_id == assessment_id),
                _stats(Plan, tenant_id, Plan.assessment_id == assessment_id),
                _stats(Initiative, tenant_id, Initiative.plan_id.in_(plan_ids)),
                _stats(Initiative, tenant_id, Initiative.plan_id.in_(baseline_plan_ids)),
                _stats(Company, tenant_id, Company.id == assessment),
                _stats(Contact, tenant_id, Contact.company_id == assessment),
                _stats(Assessment, tenant_id, Assessment.company_id == assessment, Assessment.status == "published"),
                select(func.concat(Tenant.name, "|", Tenant.brand_color, "|", Tenant.logo_url, "|", Tenant.updated_at))
                .where(Tenant.id == tenant_id)
                .scalar_subquery(),
            )
        )
    ).one()
    release = await shown_release(await driver(db), tenant_id, assessment_id)
    text = "\n".join([LAYOUT_VERSION, str(assessment_id), *(str(v) for v in row), release])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
