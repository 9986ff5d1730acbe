"""The closed loop (DESIGN §2): what a re-assessment shows about the plan of its baseline.

Per dimension: the baseline score, the new score, the target, the change, the initiatives of the
baseline's plan completed for that dimension, and whether the target was reached. Over the plan:
the **attainment rate**, the share of dimensions with completed initiatives whose new score
reached the target, and the dimensions that regressed.

"Reached" uses the same rule as plan generation (DESIGN §3: gap = max(0, target − S_d)): a
dimension reached its target when its new score is at least the target level, i.e. no gap is
left. Published scores come from the stored flat rows (never recomputed); an assessment that is
not published yet is computed from its answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.lookups import with_baseline
from ordena.assessments.models import Assessment
from ordena.assessments.results import HistoryPoint, compute_results, history
from ordena.assessments.scoring import DEFAULT_TARGET, level_of
from ordena.db.driver import driver
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.plans import queries

TWO = Decimal("0.01")


@dataclass(frozen=True)
class CompletedInitiative:
    id: UUID
    title: str
    completed_on: Any  # date or None


@dataclass(frozen=True)
class DimensionProgress:
    key: str
    name: str
    pillar: str
    baseline: Decimal | None
    score: Decimal | None
    target: int
    completed: list[CompletedInitiative]
    planned: int  # initiatives of the baseline's plan for this dimension

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.score is None:
            return None
        return (self.score - self.baseline).quantize(TWO)

    @property
    def reached(self) -> bool:
        return self.score is not None and self.score >= self.target

    @property
    def regressed(self) -> bool:
        return self.change is not None and self.change < 0

    @property
    def baseline_level(self) -> int | None:
        return level_of(self.baseline)

    @property
    def level(self) -> int | None:
        return level_of(self.score)

    @property
    def bar_baseline(self) -> float:
        """Position on a 1–5 scale as a share of the bar, for the page's track."""
        return _share(self.baseline)

    @property
    def bar_score(self) -> float:
        return _share(self.score)

    @property
    def bar_target(self) -> float:
        return _share(Decimal(self.target))


def _share(score: Decimal | None) -> float:
    if score is None:
        return 0.0
    return round(float((score - 1) / 4 * 100), 1)


class Run(Protocol):
    """What the closed loop shows of a run (an ``Assessment``, or a plain row of one)."""

    @property
    def id(self) -> UUID: ...
    @property
    def title(self) -> str: ...
    @property
    def published_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class PlanProgress:
    assessment: Run
    baseline: Run
    plan_id: UUID | None
    dimensions: list[DimensionProgress]
    level_names: dict[int, str]

    @property
    def with_completed(self) -> list[DimensionProgress]:
        return [d for d in self.dimensions if d.completed]

    @property
    def attained(self) -> list[DimensionProgress]:
        return [d for d in self.with_completed if d.reached]

    @property
    def attainment_rate(self) -> Decimal | None:
        """Share (0–1) of dimensions with completed initiatives that reached their target."""
        if not self.with_completed:
            return None
        return Decimal(len(self.attained)) / Decimal(len(self.with_completed))

    @property
    def regressions(self) -> list[DimensionProgress]:
        return [d for d in self.dimensions if d.regressed]

    @property
    def improved(self) -> list[DimensionProgress]:
        return [d for d in self.dimensions if d.change is not None and d.change > 0]

    @property
    def completed_total(self) -> int:
        return sum(len(d.completed) for d in self.dimensions)

    @property
    def planned_total(self) -> int:
        return sum(d.planned for d in self.dimensions)

    @property
    def reached_total(self) -> int:
        return sum(1 for d in self.dimensions if d.reached)

    def level_name(self, level: int | None) -> str:
        return self.level_names.get(level or 0, "")


async def dimension_scores(
    db: AsyncSession, tenant_id: UUID, assessment: Assessment, stored: list[HistoryPoint] | None = None
) -> dict[str, Decimal | None]:
    """Scores by dimension key: the stored ones once published (``stored``: the company's
    history, when read already), else computed from the answers."""
    if assessment.status == "published":
        points = stored if stored is not None else await history(db, tenant_id, assessment.company_id)
        found = stored_scores(points, assessment.id)
        if found is not None:
            return found
    results = await compute_results(db, tenant_id, assessment.id)
    return {d.key: d.score for d in results.dimensions}


async def _baseline_initiatives(
    db: AsyncSession, tenant_id: UUID, baseline_id: UUID
) -> tuple[UUID | None, list[queries.BaselineInitiative]]:
    """The baseline's plan and its initiatives, as plain rows in one statement (the page only
    shows them; profiled: loading them as ORM objects was a fifth of the page)."""
    return await queries.baseline_initiatives(await driver(db), tenant_id=tenant_id, baseline_id=baseline_id)


def _dimensions(
    tree: FrameworkStructure,
    targets: dict[str, Any],
    before: dict[str, Decimal | None],
    after: dict[str, Decimal | None],
    initiatives: list[queries.BaselineInitiative],
) -> list[DimensionProgress]:
    out = []
    for pillar in tree.pillars:
        for dim in pillar.dimensions:
            mine = [i for i in initiatives if i.dimension_key == dim.key]
            done = [
                CompletedInitiative(i.id, i.title, i.completed_at.date() if i.completed_at else None)
                for i in mine
                if i.status == "done"
            ]
            out.append(
                DimensionProgress(
                    key=dim.key,
                    name=tree.label(dim.name),
                    pillar=tree.label(pillar.name),
                    baseline=before.get(dim.key),
                    score=after.get(dim.key),
                    target=int(targets.get(dim.key, DEFAULT_TARGET)),
                    completed=done,
                    planned=len(mine),
                )
            )
    return out


async def plan_progress(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> PlanProgress:
    """The closed loop of a published re-assessment against its baseline (409 otherwise)."""
    assessment, baseline = await with_baseline(db, tenant_id, assessment_id)
    if assessment.status != "published":
        raise ServiceError(_("El avance se muestra cuando la evaluación está publicada."), status_code=409)
    if assessment.baseline_id is None:
        raise ServiceError(
            _("Esta evaluación no tiene una evaluación de base con la cual compararla."), status_code=409
        )
    if baseline is None:
        raise NotFound()
    tree = await structure(db, assessment.framework_version_id)
    plan_id, initiatives = await _baseline_initiatives(db, tenant_id, baseline.id)
    stored = await history(db, tenant_id, assessment.company_id)  # both runs' stored scores, read once
    return assemble(
        tree,
        assessment,
        baseline,
        assessment.targets or {},
        await dimension_scores(db, tenant_id, baseline, stored),
        await dimension_scores(db, tenant_id, assessment, stored),
        plan_id,
        initiatives,
    )


def stored_scores(points: list[HistoryPoint], assessment_id: UUID) -> dict[str, Decimal | None] | None:
    """A published run's scores by dimension key from its stored snapshot (None: not among them)."""
    for point in points:
        if point.assessment_id == assessment_id:
            return {k: None if v is None else v.quantize(TWO) for k, v in point.dimensions.items()}
    return None


def assemble(
    tree: FrameworkStructure,
    assessment: Run,
    baseline: Run,
    targets: dict[str, Any],
    before: dict[str, Decimal | None],
    after: dict[str, Decimal | None],
    plan_id: UUID | None,
    initiatives: list[queries.BaselineInitiative],
) -> PlanProgress:
    """The closed loop from what was read (the progress page reads it as plain rows)."""
    dims = _dimensions(tree, targets, before, after, initiatives)
    levels = {level: tree.level_name(level) for level in range(1, 6)}
    return PlanProgress(assessment, baseline, plan_id, dims, levels)


def progress_document(progress: PlanProgress) -> dict[str, Any]:
    """The API's view of the closed loop (numbers as strings, exact to two places)."""

    def num(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    rate = progress.attainment_rate
    return {
        "assessment_id": str(progress.assessment.id),
        "baseline_id": str(progress.baseline.id),
        "plan_id": str(progress.plan_id) if progress.plan_id else None,
        "attainment_rate": None if rate is None else str(rate.quantize(Decimal("0.0001"))),
        "regressed": [d.key for d in progress.regressions],
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "baseline": num(d.baseline),
                "score": num(d.score),
                "target": d.target,
                "change": num(d.change),
                "reached": d.reached,
                "completed_initiatives": [
                    {
                        "id": str(i.id),
                        "title": i.title,
                        "completed_on": i.completed_on.isoformat() if i.completed_on else None,
                    }
                    for i in d.completed
                ],
            }
            for d in progress.dimensions
        ],
    }
