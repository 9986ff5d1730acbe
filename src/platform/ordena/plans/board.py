"""The plan's board by status, the changes made on it, and the roll-ups read elsewhere
(the firm dashboard's "plans at risk", the company page's progress).

The status, progress and comment changes go through ``plans.editing`` (one set of rules); a
contact's change is recorded under the contact's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor
from ordena.db.driver import driver
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _
from ordena.plans import editing, queries
from ordena.plans.models import STATUSES, Initiative, InitiativeComment, InitiativeDependency, Plan

# Priority 1 (most urgent) weighs 4 … priority 4 weighs 1 in the company's roll-up.
PRIORITY_WEIGHT = {1: 4, 2: 3, 3: 2, 4: 1}
SOON_DAYS = 7
AUDITED = ("status", "progress", "blocked_reason")


def status_labels() -> dict[str, str]:
    return {
        "pending": _("Pendiente"),
        "in_progress": _("En curso"),
        "done": _("Hecha"),
        "blocked": _("Bloqueada"),
    }


def today() -> dt.date:
    return now().date()


async def initiatives_of(db: AsyncSession, tenant_id: UUID, plan_id: UUID) -> list[Initiative]:
    rows = await db.scalars(
        select(Initiative)
        .where(Initiative.tenant_id == tenant_id, Initiative.plan_id == plan_id)
        .order_by(Initiative.position, Initiative.due_on.asc().nulls_last(), Initiative.title)
    )
    return list(rows)


async def dependencies_of(db: AsyncSession, tenant_id: UUID, plan_id: UUID) -> list[tuple[UUID, UUID]]:
    """(initiative, depends on) pairs of the plan's initiatives."""
    ids = select(Initiative.id).where(Initiative.tenant_id == tenant_id, Initiative.plan_id == plan_id)
    rows = await db.execute(
        select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id).where(
            InitiativeDependency.tenant_id == tenant_id, InitiativeDependency.initiative_id.in_(ids)
        )
    )
    return [(a, b) for a, b in rows.all()]


@dataclass(frozen=True)
class BoardView:
    head: queries.BoardHead
    cards: list[queries.BoardCard]

    def columns(self) -> dict[str, list[queries.BoardCard]]:
        board: dict[str, list[queries.BoardCard]] = {s: [] for s in STATUSES}
        for card in self.cards:
            board[card.status].append(card)
        return board


async def board_view(db: AsyncSession, tenant_id: UUID, plan_id: UUID) -> BoardView:
    """The board's page read: the plan's head and its cards with owners' names, as plain rows in
    two statements on the request's connection (benchmarked: loading ORM objects was a fifth of
    the page). After a move, the session's pending changes are flushed first."""
    await db.flush()
    con = await driver(db)
    head = await queries.board_head(con, tenant_id, plan_id)
    if head is None:
        raise NotFound()
    return BoardView(head, await queries.board_cards(con, tenant_id, plan_id, head.company_id, today()))


def is_overdue(initiative: Initiative, on: dt.date) -> bool:
    return initiative.status != "done" and initiative.due_on is not None and initiative.due_on < on


async def set_initiative_status(
    db: AsyncSession, tenant_id: UUID, actor: Actor, initiative: Initiative, status: str, reason: str = ""
) -> Initiative:
    """The board's and the contact's status change: the editing service's rules (blocked needs a
    reason, done means 100 %, finish-to-start dependencies)."""
    return await editing.set_status(db, tenant_id, actor, initiative.id, status, reason=reason)


def parse_progress(raw: Any) -> tuple[int | None, FormErrors]:
    errors = FormErrors()
    try:
        value = int(str(raw).strip().rstrip("%"))
    except ValueError:
        errors.add("progress", _("Escribe un número entero de 0 a 100."))
        return None, errors
    if not 0 <= value <= 100:
        errors.add("progress", _("Escribe un número entero de 0 a 100."))
        return None, errors
    return value, errors


async def set_initiative_progress(
    db: AsyncSession, tenant_id: UUID, actor: Actor, initiative: Initiative, progress: int
) -> Initiative:
    """Progress through the editing service; work reported on a pending initiative starts it."""
    if progress > 0 and initiative.status == "pending":
        await editing.set_status(db, tenant_id, actor, initiative.id, "in_progress")
    return await editing.set_progress(db, tenant_id, actor, initiative.id, progress)


async def add_initiative_comment(
    db: AsyncSession,
    tenant_id: UUID,
    actor: Actor,
    initiative: Initiative,
    body: str,
    *,
    author_label: str,
    author_contact_id: UUID | None = None,
) -> InitiativeComment:
    """A comment signed ``author_label`` (a contact's name), through the editing service."""
    return await editing.add_comment(
        db, tenant_id, Actor(actor.id, author_label), initiative.id, body, author_contact_id=author_contact_id
    )


async def comments_of(
    db: AsyncSession, tenant_id: UUID, initiative_ids: list[UUID]
) -> dict[UUID, list[InitiativeComment]]:
    out: dict[UUID, list[InitiativeComment]] = {i: [] for i in initiative_ids}
    if not initiative_ids:
        return out
    rows = await db.scalars(
        select(InitiativeComment)
        .where(InitiativeComment.tenant_id == tenant_id, InitiativeComment.initiative_id.in_(initiative_ids))
        .order_by(InitiativeComment.created_at)
    )
    for c in rows:
        out[c.initiative_id].append(c)
    return out


# --- roll-ups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    initiative_id: UUID
    title: str
    plan_id: UUID
    company: str
    due_on: dt.date | None
    status: str
    reason: str  # overdue | blocked | due_soon
    days: int | None  # days late (overdue) or days left (due soon)


async def plans_at_risk(db: AsyncSession, tenant_id: UUID, on: dt.date | None = None, limit: int = 12) -> list[AtRisk]:
    """Open initiatives across every company that are overdue, blocked or due within 7 days,
    the most urgent first (overdue, then blocked, then due soon; by due date within each). Plain
    rows on the driver, ordered and cut in SQL (benchmarked: ``dashboard``)."""
    return await at_risk_on(await driver(db), tenant_id, on, limit)


async def at_risk_on(
    con: asyncpg.Connection, tenant_id: UUID, on: dt.date | None = None, limit: int = 12
) -> list[AtRisk]:
    """:func:`plans_at_risk` on the driver (the dashboard opens no ORM session)."""
    on = on or today()
    soon = on + dt.timedelta(days=SOON_DAYS)
    out = []
    for r in await queries.initiatives_at_risk(con, tenant_id, on, soon, limit):
        due_on = r["due_on"]
        reason = ("overdue", "blocked", "due_soon")[r["rank"]]
        days = (on - due_on).days if reason == "overdue" else (due_on - on).days if reason == "due_soon" else None
        out.append(AtRisk(r["id"], r["title"], r["plan_id"], r["company"], due_on, r["status"], reason, days))
    return out


@dataclass(frozen=True)
class Rollup:
    plan_id: UUID
    title: str
    total: int
    done: int
    weighted_progress: Decimal  # 0–100, weighted by priority
    overdue: int
    blocked: int


def rollup_of(plan: Plan, initiatives: list[Initiative], on: dt.date) -> Rollup:
    weights = sum(PRIORITY_WEIGHT[i.priority] for i in initiatives)
    weighted = sum(PRIORITY_WEIGHT[i.priority] * i.progress for i in initiatives)
    mean = (Decimal(weighted) / Decimal(weights)).quantize(Decimal("0.1")) if weights else Decimal(0)
    return Rollup(
        plan_id=plan.id,
        title=plan.title,
        total=len(initiatives),
        done=sum(1 for i in initiatives if i.status == "done"),
        weighted_progress=mean,
        overdue=sum(1 for i in initiatives if is_overdue(i, on)),
        blocked=sum(1 for i in initiatives if i.status == "blocked"),
    )


async def company_rollup(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> Rollup | None:
    """The company's newest plan rolled up (None when it has no plan)."""
    plan = await db.scalar(
        select(Plan)
        .where(Plan.tenant_id == tenant_id, Plan.company_id == company_id)
        .order_by(Plan.created_at.desc())
        .limit(1)
    )
    if plan is None:
        return None
    return rollup_of(plan, await initiatives_of(db, tenant_id, plan.id), today())


async def contact_initiatives(
    db: AsyncSession, tenant_id: UUID, company_id: UUID, contact_id: UUID
) -> list[Initiative]:
    """The initiatives a client contact owns, in plans of their own company."""
    rows = await db.scalars(
        select(Initiative)
        .join(Plan, (Plan.tenant_id == Initiative.tenant_id) & (Plan.id == Initiative.plan_id))
        .where(
            Initiative.tenant_id == tenant_id,
            Initiative.owner_contact_id == contact_id,
            Plan.company_id == company_id,
        )
        .order_by(Initiative.due_on.asc().nulls_last(), Initiative.priority, Initiative.title)
    )
    return list(rows)


async def portfolio_attainment(db: AsyncSession, tenant_id: UUID) -> queries.PortfolioAttainment:
    """The attainment rate across the firm's portfolio (the dashboard): one aggregate statement."""
    return await queries.portfolio_attainment(await driver(db), tenant_id)
