"""Reading a firm's improvement plans: every helper takes the tenant and filters by it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.assessments.models import Assessment
from ordena.companies.models import Company, Contact
from ordena.lib.errors import NotFound
from ordena.lib.pagination import Page
from ordena.plans.models import STATUSES, Initiative, InitiativeComment, InitiativeDependency, Plan
from ordena.tenancy.models import Membership


async def get_plan(db: AsyncSession, tenant_id: UUID, plan_id: UUID) -> Plan:
    plan = await db.scalar(select(Plan).where(Plan.tenant_id == tenant_id, Plan.id == plan_id))
    if plan is None:
        raise NotFound()
    return plan


async def plan_for_assessment(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> Plan | None:
    """The assessment's plan, if one was generated (there is at most one)."""
    plan: Plan | None = await db.scalar(
        select(Plan).where(Plan.tenant_id == tenant_id, Plan.assessment_id == assessment_id)
    )
    return plan


async def plans_for_company(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[Plan]:
    rows = await db.scalars(
        select(Plan)
        .where(Plan.tenant_id == tenant_id, Plan.company_id == company_id)
        .order_by(Plan.created_at.desc(), Plan.id.desc())
    )
    return list(rows)


async def get_initiative(
    db: AsyncSession,
    tenant_id: UUID,
    initiative_id: UUID,
    *,
    plan_id: UUID | None = None,
    owner_contact_id: UUID | None = None,
    for_update: bool = False,
) -> Initiative:
    """One initiative of the firm (of ``plan_id`` / owned by ``owner_contact_id`` when given); 404 otherwise."""
    stmt = select(Initiative).where(Initiative.tenant_id == tenant_id, Initiative.id == initiative_id)
    if plan_id is not None:
        stmt = stmt.where(Initiative.plan_id == plan_id)
    if owner_contact_id is not None:
        stmt = stmt.where(Initiative.owner_contact_id == owner_contact_id)
    if for_update:
        stmt = stmt.with_for_update()
    initiative = await db.scalar(stmt)
    if initiative is None:
        raise NotFound()
    return initiative


@dataclass(frozen=True)
class InitiativeFilters:
    """``owner`` is ``user:<id>``, ``contact:<id>`` or ``none`` (nobody assigned)."""

    status: str | None = None
    dimension_key: str | None = None
    owner: str | None = None

    @classmethod
    def parse(cls, status: str | None, dimension_key: str | None, owner: str | None) -> InitiativeFilters:
        """Filters from a query string: unknown values are dropped, never an error."""
        kind, _sep, raw = (owner or "").partition(":")
        valid_owner = owner == "none" or (kind in ("user", "contact") and _is_uuid(raw))
        return cls(
            status=status if status in STATUSES else None,
            dimension_key=(dimension_key or "").strip()[:60] or None,
            owner=owner if valid_owner else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.dimension_key or self.owner)


def _is_uuid(raw: str) -> bool:
    try:
        UUID(raw)
    except ValueError:
        return False
    return True


async def list_initiatives(
    db: AsyncSession, tenant_id: UUID, plan_id: UUID, filters: InitiativeFilters | None = None
) -> list[Initiative]:
    """The plan's initiatives, most urgent first (priority 1–4, then the plan's own order)."""
    stmt = select(Initiative).where(Initiative.tenant_id == tenant_id, Initiative.plan_id == plan_id)
    f = filters or InitiativeFilters()
    if f.status:
        stmt = stmt.where(Initiative.status == f.status)
    if f.dimension_key:
        stmt = stmt.where(Initiative.dimension_key == f.dimension_key)
    if f.owner == "none":
        stmt = stmt.where(Initiative.owner_user_id.is_(None), Initiative.owner_contact_id.is_(None))
    elif f.owner:
        kind, _sep, raw = f.owner.partition(":")
        column = Initiative.owner_user_id if kind == "user" else Initiative.owner_contact_id
        stmt = stmt.where(column == UUID(raw))
    rows = await db.scalars(stmt.order_by(Initiative.priority, Initiative.position, Initiative.created_at))
    return list(rows)


async def dependencies_of(db: AsyncSession, tenant_id: UUID, plan_id: UUID) -> dict[UUID, list[UUID]]:
    """initiative id → the ids it waits for (finish-to-start), for the whole plan."""
    stmt = (
        select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
        .join(
            Initiative,
            (Initiative.tenant_id == InitiativeDependency.tenant_id)
            & (Initiative.id == InitiativeDependency.initiative_id),
        )
        .where(InitiativeDependency.tenant_id == tenant_id, Initiative.plan_id == plan_id)
    )
    edges: dict[UUID, list[UUID]] = {}
    for initiative_id, depends_on_id in (await db.execute(stmt)).all():
        edges.setdefault(initiative_id, []).append(depends_on_id)
    return edges


async def comments_of(db: AsyncSession, tenant_id: UUID, initiative_id: UUID) -> list[InitiativeComment]:
    rows = await db.scalars(
        select(InitiativeComment)
        .where(InitiativeComment.tenant_id == tenant_id, InitiativeComment.initiative_id == initiative_id)
        .order_by(InitiativeComment.created_at, InitiativeComment.id)
    )
    return list(rows)


@dataclass(frozen=True)
class OwnerChoice:
    value: str  # user:<id> | contact:<id>
    label: str
    kind: str  # user | contact


async def owner_choices(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[OwnerChoice]:
    """Who may own an initiative of a plan: the firm's members, then the company's contacts.

    A page read joining accounts' and companies' tables, read-only (CONVENTIONS)."""
    members = await db.execute(
        select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.name, User.email)
    )
    contacts = await db.execute(
        select(Contact.id, Contact.name, Contact.email)
        .where(Contact.tenant_id == tenant_id, Contact.company_id == company_id)
        .order_by(Contact.name, Contact.id)
    )
    return [OwnerChoice(f"user:{i}", name or email, "user") for i, name, email in members.all()] + [
        OwnerChoice(f"contact:{i}", name or email, "contact") for i, name, email in contacts.all()
    ]


def owner_value(initiative: Initiative) -> str:
    if initiative.owner_user_id:
        return f"user:{initiative.owner_user_id}"
    if initiative.owner_contact_id:
        return f"contact:{initiative.owner_contact_id}"
    return ""


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    company_name: str
    assessment_title: str
    initiatives: int
    done: int
    progress: int  # mean progress of the initiatives, 0–100


class PlanPage(Page[PlanRow]):
    """The firm's plans with their company and assessment."""


async def list_plans(db: AsyncSession, tenant_id: UUID, *, page: int = 1, per_page: int = 25) -> PlanPage:
    """The firm's plans, newest first, with counts (a page read joining companies and assessments)."""
    total = await db.scalar(select(func.count()).select_from(Plan).where(Plan.tenant_id == tenant_id)) or 0
    page = max(1, page)
    counts = (
        select(
            Initiative.plan_id.label("plan_id"),
            func.count().label("n"),
            func.count().filter(Initiative.status == "done").label("done"),
            func.coalesce(func.avg(Initiative.progress), 0).label("progress"),
        )
        .where(Initiative.tenant_id == tenant_id)
        .group_by(Initiative.plan_id)
        .subquery()
    )
    stmt = (
        select(Plan, Company.name, Assessment.title, counts.c.n, counts.c.done, counts.c.progress)
        .join(Company, (Company.tenant_id == Plan.tenant_id) & (Company.id == Plan.company_id))
        .join(Assessment, (Assessment.tenant_id == Plan.tenant_id) & (Assessment.id == Plan.assessment_id))
        .outerjoin(counts, counts.c.plan_id == Plan.id)
        .where(Plan.tenant_id == tenant_id)
        .order_by(Plan.created_at.desc(), Plan.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [
        PlanRow(plan, company, title, int(n or 0), int(done or 0), round(float(progress or 0)))
        for plan, company, title, n, done, progress in (await db.execute(stmt)).all()
    ]
    return PlanPage(rows, int(total), page, per_page)
