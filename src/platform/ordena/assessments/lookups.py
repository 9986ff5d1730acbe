"""Reading a firm's assessments, respondents and answers: every helper takes the tenant."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries
from ordena.assessments.models import Answer, Assessment, Respondent
from ordena.companies.models import Company, Contact
from ordena.db.driver import driver
from ordena.lib.errors import NotFound
from ordena.lib.pagination import Page, clamp_page


async def list_for_company(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[Assessment]:
    """A company's assessments, newest first."""
    rows = await db.scalars(
        select(Assessment)
        .where(Assessment.tenant_id == tenant_id, Assessment.company_id == company_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    )
    return list(rows)


async def get_assessment(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, *, for_update: bool = False
) -> Assessment:
    stmt = select(Assessment).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
    if for_update:
        stmt = stmt.with_for_update()
    assessment = await db.scalar(stmt)
    if assessment is None:
        raise NotFound()
    return assessment


async def read_assessment(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> Assessment:
    """``get_assessment`` for a page that only displays it: one plain statement on the driver,
    the assessment detached (profiled on the questionnaire); 404 when it is not the firm's."""
    assessment = await queries.assessment(await driver(db), tenant_id=tenant_id, assessment_id=assessment_id)
    if assessment is None:
        raise NotFound()
    return assessment


async def with_baseline(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> tuple[Assessment, Assessment | None]:
    """The firm's assessment and the baseline it is compared with (None when it has none, or
    the baseline is gone), in one statement; 404 when the assessment is not the firm's."""
    baseline_id = (
        select(Assessment.baseline_id)
        .where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
        .scalar_subquery()
    )
    rows = await db.scalars(
        select(Assessment).where(
            Assessment.tenant_id == tenant_id, or_(Assessment.id == assessment_id, Assessment.id == baseline_id)
        )
    )
    found = {a.id: a for a in rows}
    assessment = found.get(assessment_id)
    if assessment is None:
        raise NotFound()
    return assessment, found.get(assessment.baseline_id) if assessment.baseline_id is not None else None


class AssessmentPage(Page[tuple[Assessment, str]]):
    """Assessments with their company's name."""


async def list_assessments(
    db: AsyncSession,
    tenant_id: UUID,
    *,
    status: str | None = None,
    company_id: UUID | None = None,
    page: int = 1,
    per_page: int = 25,
) -> AssessmentPage:
    """The firm's assessments with their company's name, newest first."""
    where = [Assessment.tenant_id == tenant_id]
    if status:
        where.append(Assessment.status == status)
    if company_id:
        where.append(Assessment.company_id == company_id)
    total = await db.scalar(select(func.count()).select_from(Assessment).where(*where)) or 0
    page = clamp_page(page, int(total), per_page)
    stmt = (
        select(Assessment, Company.name)
        .join(Company, (Company.tenant_id == Assessment.tenant_id) & (Company.id == Assessment.company_id))
        .where(*where)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [(a, name) for a, name in (await db.execute(stmt)).all()]
    return AssessmentPage(rows, int(total), page, per_page)


async def respondents(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> list[tuple[Respondent, Contact | None]]:
    stmt = (
        select(Respondent, Contact)
        .outerjoin(Contact, (Contact.tenant_id == Respondent.tenant_id) & (Contact.id == Respondent.contact_id))
        .where(Respondent.tenant_id == tenant_id, Respondent.assessment_id == assessment_id)
        .order_by(Respondent.kind, Respondent.created_at)
    )
    return [(r, c) for r, c in (await db.execute(stmt)).all()]


async def invited_contacts(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, *, unsubmitted_only: bool = False
) -> list[tuple[Respondent, Contact]]:
    """The client contacts invited to the assessment (``unsubmitted_only``: those who have not
    handed in their answers), by name: whom its emails go to."""
    stmt = (
        select(Respondent, Contact)
        .join(Contact, (Contact.tenant_id == Respondent.tenant_id) & (Contact.id == Respondent.contact_id))
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.assessment_id == assessment_id,
            Respondent.kind == "self",
            Respondent.invited_at.is_not(None),
        )
        .order_by(Contact.name)
    )
    if unsubmitted_only:
        stmt = stmt.where(Respondent.submitted_at.is_(None))
    return [(r, c) for r, c in (await db.execute(stmt)).all()]


async def get_respondent(db: AsyncSession, tenant_id: UUID, respondent_id: UUID) -> Respondent:
    row = await db.scalar(select(Respondent).where(Respondent.tenant_id == tenant_id, Respondent.id == respondent_id))
    if row is None:
        raise NotFound()
    return row


async def answers_of(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, respondent_id: UUID | None = None
) -> list[Answer]:
    stmt = select(Answer).where(Answer.tenant_id == tenant_id, Answer.assessment_id == assessment_id)
    if respondent_id is not None:
        stmt = stmt.where(Answer.respondent_id == respondent_id)
    return list(await db.scalars(stmt))
