"""Generating a plan from an assessment's gaps (DESIGN §3).

Which dimensions: every dimension whose score is below its target (the assessment's targets,
default 3). Their order: priority = gap × dimension weight, highest first; ties go to the lower
score, then to the framework's order. For each, the library's initiatives for every level step
from the dimension's current level up to its target, step by step, in the library's order. A
dimension with no score gets no initiatives and is reported as "sin datos".

Generating again on the same assessment never duplicates: the plan is one per assessment and an
initiative is one per library key, so only what is missing is added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.results import AssessmentResults, dimension_scores
from ordena.audit.services import Actor, AuditTrail
from ordena.db.driver import driver
from ordena.frameworks.services import FrameworkStructure, InitiativeNode, label
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.plans import queries
from ordena.plans.models import Initiative, Plan

PLANNABLE = ("validated", "published")


@dataclass(frozen=True)
class DimensionGap:
    key: str
    order: int  # position of the dimension in the framework
    score: Decimal
    level: int
    target: int
    weight: Decimal
    gap: Decimal
    priority: Decimal
    initiatives: tuple[InitiativeNode, ...]


@dataclass(frozen=True)
class Proposal:
    """What the assessment calls for: gaps in priority order, and dimensions without data."""

    gaps: list[DimensionGap]
    no_data: list[str]  # dimension keys, framework order

    @property
    def initiatives(self) -> list[tuple[DimensionGap, InitiativeNode]]:
        return [(g, i) for g in self.gaps for i in g.initiatives]


def urgency(priority: Decimal) -> int:
    """The 1–4 priority of a generated initiative from its dimension's gap × weight."""
    if priority >= Decimal("1.5"):
        return 1
    if priority >= 1:
        return 2
    if priority >= Decimal("0.5"):
        return 3
    return 4


class ScoredDimension(Protocol):
    """What ranking reads of a dimension's result (``DimensionResult`` has it)."""

    @property
    def key(self) -> str: ...
    @property
    def score(self) -> Decimal | None: ...
    @property
    def level(self) -> int | None: ...
    @property
    def target(self) -> int: ...
    @property
    def weight(self) -> Decimal: ...


# (dimension key, current level, target) → the library's initiatives for those steps
Library = Callable[[str, int, int], tuple[InitiativeNode, ...]]


def rank(dimensions: Sequence[ScoredDimension], library: Library) -> Proposal:
    """The plan's dimensions in order, given in framework order (pure: no database)."""
    gaps: list[DimensionGap] = []
    no_data: list[str] = []
    for order, d in enumerate(dimensions):
        if d.score is None or d.level is None:
            no_data.append(d.key)
            continue
        if d.score >= d.target:
            continue
        gap = Decimal(d.target) - d.score
        gaps.append(
            DimensionGap(
                key=d.key,
                order=order,
                score=d.score,
                level=d.level,
                target=d.target,
                weight=d.weight,
                gap=gap,
                priority=gap * d.weight,
                initiatives=library(d.key, d.level, d.target),
            )
        )
    gaps.sort(key=lambda g: (-g.priority, g.score, g.order))
    return Proposal(gaps, no_data)


def propose(results: AssessmentResults) -> Proposal:
    return _propose(results.tree, results.dimensions)


def _propose(tree: FrameworkStructure, dimensions: Sequence[ScoredDimension]) -> Proposal:
    return rank(dimensions, lambda key, level, target: tree.dimension(key).initiatives_between(level, target))


@dataclass
class Generated:
    plan: Plan
    created: bool  # a new plan (False: the existing plan, with what was missing added)
    added: list[Initiative] = field(default_factory=list)
    proposal: Proposal = field(default_factory=lambda: Proposal([], []))


def _refuse_unplannable(status: str) -> None:
    if status not in PLANNABLE:
        raise ServiceError(
            _("Solo se puede generar un plan de una evaluación validada o publicada. Valídala primero."),
            status_code=409,
        )


async def missing_initiatives(db: AsyncSession, tenant_id: UUID, plan: Plan | None, proposal: Proposal) -> int:
    """How many of the proposal's library initiatives the plan does not hold yet."""
    if plan is None:
        return len(proposal.initiatives)
    held = set(
        await db.scalars(
            select(Initiative.template_key).where(
                Initiative.tenant_id == tenant_id, Initiative.plan_id == plan.id, Initiative.template_key.is_not(None)
            )
        )
    )
    return sum(1 for _g, i in proposal.initiatives if i.key not in held)


async def generate_plan(db: AsyncSession, tenant_id: UUID, actor: Actor, assessment_id: UUID) -> Generated:
    """Create the assessment's plan, or add to it the library initiatives it is missing."""
    # Generating again is the hot path (benchmarked: plan_generate): the locked assessment, its plan,
    # the keys the plan holds and its last position come in one statement on the driver.
    state = await queries.generation_state(await driver(db), tenant_id, assessment_id)
    if state is None:
        raise NotFound()
    _refuse_unplannable(state.status)
    proposal = _propose(*await dimension_scores(db, tenant_id, state))
    audit = AuditTrail(db, tenant_id, actor)
    plan = state.plan
    created = plan is None
    if plan is None:
        plan = Plan(
            tenant_id=tenant_id,
            assessment_id=state.id,
            company_id=state.company_id,
            title=_("Plan de mejora: {title}").format(title=state.title)[:200],
            created_by=actor.id,
        )
        db.add(plan)
        await db.flush()
    position = state.next_position
    added: list[Initiative] = []
    for gap, template in proposal.initiatives:
        if template.key in state.held:
            continue
        added.append(_from_template(tenant_id, plan.id, gap, template, position))
        position += 1
    if added:  # generating again usually adds nothing: no flush then
        db.add_all(added)
        await db.flush()
    after = {"added": [i.template_key for i in added], "no_data": proposal.no_data}
    if created:
        audit("create", "plan", plan.id, after={"assessment_id": str(state.id), "title": plan.title, **after})
    else:
        audit("generate", "plan", plan.id, after=after)
    return Generated(plan, created, added, proposal)


def _from_template(
    tenant_id: UUID, plan_id: UUID, gap: DimensionGap, template: InitiativeNode, position: int
) -> Initiative:
    return Initiative(
        tenant_id=tenant_id,
        plan_id=plan_id,
        template_key=template.key,
        dimension_key=gap.key,
        from_level=template.from_level,
        to_level=template.from_level + 1,
        question_keys=list(template.question_keys),
        title=label(template.title)[:300],
        description=label(template.description),
        kpi_name=label(template.kpi)[:300],
        priority=urgency(gap.priority),
        position=position,
    )
