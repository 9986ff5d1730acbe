"""Names of a firm's assessments, respondents and evidence by id, in one query each (the audit log
shows names, not ids)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.models import Assessment, Evidence, Respondent


async def names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    """The titles of the firm's assessments among ``ids``; unknown ids are left out."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Assessment.id, Assessment.title).where(Assessment.tenant_id == tenant_id, Assessment.id.in_(ids))
    )
    return {assessment_id: title for assessment_id, title in rows.all()}


@dataclass(frozen=True)
class RespondentRef:
    """Who a respondent is: a client contact (self-assessment) or the firm's consultant."""

    assessment_id: UUID
    kind: str  # consultant | self
    contact_id: UUID | None
    user_id: UUID | None


async def respondents_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, RespondentRef]:
    if not ids:
        return {}
    rows = await db.execute(
        select(
            Respondent.id, Respondent.assessment_id, Respondent.kind, Respondent.contact_id, Respondent.user_id
        ).where(Respondent.tenant_id == tenant_id, Respondent.id.in_(ids))
    )
    return {r.id: RespondentRef(r.assessment_id, r.kind, r.contact_id, r.user_id) for r in rows.all()}


@dataclass(frozen=True)
class EvidenceName:
    title: str
    assessment_id: UUID


async def evidence_names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, EvidenceName]:
    if not ids:
        return {}
    rows = await db.execute(
        select(Evidence.id, Evidence.title, Evidence.assessment_id).where(
            Evidence.tenant_id == tenant_id, Evidence.id.in_(ids)
        )
    )
    return {evidence_id: EvidenceName(title, assessment_id) for evidence_id, title, assessment_id in rows.all()}
