"""An assessment's results: scores per dimension, pillar and overall, from every respondent's
answers, with the consultant's validated overrides, disagreement and the perception gap.

Which side is the headline: a consultant assessment → the consultant's answers; a
self-assessment → the client respondents' answers (several: per question the mean); both → the
consultant's answers, with the client's self-view beside them for the perception gap
(self − consultant, using the consultant's validated score where there is one).

``AssessmentResults``'s public fields are plain values (Decimal, int, str, UUID, lists of
dataclasses), so the publish step can store them as the ResultSnapshot as they are; the
framework tree rides along in a private field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries, scoring
from ordena.assessments.lookups import get_assessment
from ordena.assessments.models import Assessment, DimensionOverride
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.db.driver import driver
from ordena.frameworks.services import DimensionNode, FrameworkStructure, structure
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _


def _dec(value: Fraction | None, places: int = 2) -> Decimal | None:
    return scoring.shown(value, places)


@dataclass(frozen=True)
class QuestionSpread:
    question_id: UUID
    key: str
    spread: int


@dataclass(frozen=True)
class DimensionResult:
    id: UUID
    key: str
    pillar_key: str
    weight: Decimal
    score: Decimal | None  # the validated score if there is one, else the computed one
    index: Decimal | None
    level: int | None
    computed_score: Decimal | None
    computed_level: int | None
    override_score: Decimal | None
    override_reason: str
    override_by: str
    questions: int
    answered: int
    not_applicable: int
    completeness: Decimal
    disagreement: int | None
    spreads: list[QuestionSpread]
    self_score: Decimal | None
    consultant_score: Decimal | None
    gap: Decimal | None
    blind_spot: bool
    target: int
    plan_gap: Decimal | None
    priority: Decimal | None

    @property
    def overridden(self) -> bool:
        return self.override_score is not None


@dataclass(frozen=True)
class PillarResult:
    id: UUID
    key: str
    weight: Decimal
    score: Decimal | None
    index: Decimal | None
    level: int | None
    self_score: Decimal | None
    consultant_score: Decimal | None
    dimension_keys: list[str]
    answered: int = 0  # questions of its dimensions answered on the headline side (N/A included)
    questions: int = 0

    @property
    def completeness(self) -> Decimal:
        return Decimal(self.answered) / Decimal(self.questions) if self.questions else Decimal(0)


@dataclass(frozen=True)
class AssessmentResults:
    assessment_id: UUID
    version_id: UUID
    kind: str
    status: str
    overall: Decimal | None
    overall_index: Decimal | None
    overall_level: int | None
    completeness: Decimal
    respondents: int
    self_respondents: int
    pillars: list[PillarResult]
    dimensions: list[DimensionResult]
    _tree: FrameworkStructure | None = field(default=None, repr=False, compare=False)

    @property
    def tree(self) -> FrameworkStructure:
        assert self._tree is not None
        return self._tree

    def dimension(self, key: str) -> DimensionResult:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise KeyError(key)

    def pillar(self, key: str) -> PillarResult:
        for p in self.pillars:
            if p.key == key:
                return p
        raise KeyError(key)

    def dimension_name(self, key: str) -> str:
        return self.tree.label(self.tree.dimension(key).name)

    def pillar_name(self, key: str) -> str:
        return self.tree.label(self.tree.pillar(key).name)

    def level_name(self, level: int | None) -> str:
        return self.tree.level_name(level)

    def question_text(self, question_id: UUID) -> str:
        return self.tree.label(self.tree.question(question_id).text)

    def dimensions_of(self, pillar_key: str) -> list[DimensionResult]:
        return [d for d in self.dimensions if d.pillar_key == pillar_key]

    @property
    def has_perception_gap(self) -> bool:
        return self.kind == "both"

    @property
    def blind_spots(self) -> list[DimensionResult]:
        return [d for d in self.dimensions if d.blind_spot]

    @property
    def disagreements(self) -> list[DimensionResult]:
        return [d for d in self.dimensions if d.disagreement]

    @property
    def has_scores(self) -> bool:
        return self.overall is not None

    @property
    def level_bands(self) -> tuple[scoring.LevelBand, ...]:
        return scoring.level_bands()


def _sides(kind: str) -> tuple[str, str | None]:
    """(headline side, comparison side) for an assessment kind."""
    if kind == "self":
        return "self", None
    if kind == "both":
        return "consultant", "self"
    return "consultant", None


async def overrides_of(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> list[DimensionOverride]:
    return list(
        await db.scalars(
            select(DimensionOverride).where(
                DimensionOverride.tenant_id == tenant_id, DimensionOverride.assessment_id == assessment_id
            )
        )
    )


async def compute_results(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> AssessmentResults:
    assessment = await get_assessment(db, tenant_id, assessment_id)
    tree, answers, people, override_by_key = await _inputs(db, tenant_id, assessment)
    main_side, other_side = _sides(assessment.kind)
    main = _main_sheet(tree, answers[main_side], override_by_key, len(people[main_side]))
    other = scoring.score_sheet(tree.pillars, answers[other_side]) if other_side else None
    return _assemble(assessment, tree, main, other, override_by_key, len(people["self"]))


@dataclass(frozen=True)
class DimensionScore:
    """A dimension's headline score as the results give it (``DimensionResult``'s same fields)."""

    key: str
    score: Decimal | None
    level: int | None
    target: int
    weight: Decimal


class ScoredAssessment(Protocol):
    """What scoring reads of an assessment (an ``Assessment``, or a plain row of one)."""

    @property
    def id(self) -> UUID: ...
    @property
    def framework_version_id(self) -> UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def targets(self) -> dict[str, int]: ...


async def dimension_scores(
    db: AsyncSession, tenant_id: UUID, assessment: ScoredAssessment
) -> tuple[FrameworkStructure, list[DimensionScore]]:
    """Each dimension's effective score, level, target and weight in framework order: what a plan
    is generated from, without the comparison side, spreads and pillars the results page shows
    (benchmarked: assembling those was a sixth of generating again; the overrides are read as
    plain scores on the driver, not as ORM objects)."""
    tree = await structure(db, assessment.framework_version_id)
    con = await driver(db)
    answers, people = _by_side(
        tree, await queries.scoring_answers(con, tenant_id=tenant_id, assessment_id=assessment.id)
    )
    overrides = {
        tree.dimension_by_id(dim_id).key: score
        for dim_id, score in (await queries.override_scores(con, tenant_id=tenant_id, assessment_id=assessment.id))
        if tree.has_dimension(dim_id)
    }
    main_side, _other = _sides(assessment.kind)
    main = scoring.score_sheet(
        tree.pillars, answers[main_side], overrides=overrides, respondents=len(people[main_side])
    )
    targets = assessment.targets or {}
    scores = []
    for d in tree.dimensions:
        eff = _effective(main, d.key, overrides.get(d.key))
        target = int(targets.get(d.key, scoring.DEFAULT_TARGET))
        scores.append(DimensionScore(d.key, _dec(eff), scoring.level_of(eff), target, d.weight))
    return tree, scores


Answers = dict[str, dict[UUID, list[int | None]]]


def _by_side(
    tree: FrameworkStructure, rows: Iterable[tuple[UUID, int | None, bool, str, UUID]]
) -> tuple[Answers, dict[str, set[UUID]]]:
    """The answers and respondents by side, from (question, level, N/A, side, respondent) rows."""
    answers: Answers = {"consultant": {}, "self": {}}
    people: dict[str, set[UUID]] = {"consultant": set(), "self": set()}
    for question_id, level, na, side, respondent_id in rows:
        if side not in answers or not tree.has_question(question_id):
            continue
        if level is None and not na:
            continue  # a comment without an answer
        answers[side].setdefault(question_id, []).append(None if na or level is None else level)
        people[side].add(respondent_id)
    return answers, people


async def _inputs(
    db: AsyncSession, tenant_id: UUID, assessment: Assessment
) -> tuple[FrameworkStructure, Answers, dict[str, set[UUID]], dict[str, DimensionOverride]]:
    """The framework, the answers and respondents by side, and the overrides by dimension key."""
    tree = await structure(db, assessment.framework_version_id)
    rows = await queries.scoring_answers(await driver(db), tenant_id=tenant_id, assessment_id=assessment.id)
    answers, people = _by_side(tree, rows)
    overrides = {o.dimension_id: o for o in await overrides_of(db, tenant_id, assessment.id)}
    override_by_key = {
        tree.dimension_by_id(dim_id).key: o for dim_id, o in overrides.items() if tree.has_dimension(dim_id)
    }
    return tree, answers, people, override_by_key


def _main_sheet(
    tree: FrameworkStructure,
    answers: Mapping[UUID, Sequence[int | None]],
    overrides: Mapping[str, DimensionOverride],
    respondents: int,
) -> scoring.Sheet:
    return scoring.score_sheet(
        tree.pillars, answers, overrides={k: o.score for k, o in overrides.items()}, respondents=respondents
    )


def _effective(sheet: scoring.Sheet, key: str, override: float | Decimal | None) -> Fraction | None:
    """The dimension's score: the validated override's (``DimensionOverride.score``), else the computed one."""
    if override is not None:
        return scoring.exact(Decimal(str(override)))
    return sheet.dimensions[key].score.exact


def _dimension_result(
    d: DimensionNode,
    main: scoring.Sheet,
    other: scoring.Sheet | None,
    override: DimensionOverride | None,
    target: int,
) -> DimensionResult:
    ds = main.dimensions[d.key]
    # Disagreement among respondents of either side (e.g. several client contacts of a
    # "both" assessment): the largest spread per question.
    spreads = dict(ds.spreads)
    if other is not None:
        for qid, spread in other.dimensions[d.key].spreads.items():
            spreads[qid] = max(spread, spreads.get(qid, 0))
    eff = _effective(main, d.key, None if override is None else override.score)
    self_exact = other.dimensions[d.key].score.exact if other else None
    consultant_exact = eff if other else None
    gap = scoring.perception_gap(self_exact, consultant_exact) if other else None
    pgap = scoring.plan_gap(target, eff)
    return DimensionResult(
        id=d.id,
        key=d.key,
        pillar_key=d.pillar_key,
        weight=d.weight,
        score=_dec(eff),
        index=_dec(scoring.index_of(eff), 1),
        level=scoring.level_of(eff),
        computed_score=ds.score.value,
        computed_level=ds.score.level,
        override_score=Decimal(str(override.score)) if override else None,
        override_reason=override.reason if override else "",
        override_by=override.by_label if override else "",
        questions=ds.questions,
        answered=ds.answered,
        not_applicable=ds.not_applicable,
        completeness=Decimal(ds.completeness.numerator) / Decimal(ds.completeness.denominator),
        disagreement=max(spreads.values()) if spreads else None,
        spreads=[QuestionSpread(q.id, q.key, spreads[q.id]) for q in d.questions if q.id in spreads],
        self_score=_dec(self_exact),
        consultant_score=_dec(consultant_exact),
        gap=_dec(gap),
        blind_spot=scoring.is_blind_spot(gap),
        target=target,
        plan_gap=_dec(pgap),
        priority=_dec(scoring.priority(pgap, d.weight)),
    )


def _assemble(
    assessment: Assessment,
    tree: FrameworkStructure,
    main: scoring.Sheet,
    other: scoring.Sheet | None,
    overrides: Mapping[str, DimensionOverride],
    self_respondents: int,
) -> AssessmentResults:
    targets = assessment.targets or {}
    dims = [
        _dimension_result(d, main, other, overrides.get(d.key), int(targets.get(d.key, scoring.DEFAULT_TARGET)))
        for d in tree.dimensions
    ]
    pillars = [
        PillarResult(
            id=p.id,
            key=p.key,
            weight=p.weight,
            score=main.pillars[p.key].score.value,
            index=main.pillars[p.key].score.index,
            level=main.pillars[p.key].score.level,
            self_score=other.pillars[p.key].score.value if other else None,
            consultant_score=main.pillars[p.key].score.value if other else None,
            dimension_keys=[d.key for d in p.dimensions],
            answered=sum(main.dimensions[d.key].answered for d in p.dimensions),
            questions=sum(main.dimensions[d.key].questions for d in p.dimensions),
        )
        for p in tree.pillars
    ]
    return AssessmentResults(
        assessment_id=assessment.id,
        version_id=tree.version_id,
        kind=assessment.kind,
        status=assessment.status,
        overall=main.overall.value,
        overall_index=main.overall.index,
        overall_level=main.overall.level,
        completeness=(Decimal(main.completeness.numerator) / Decimal(main.completeness.denominator)).quantize(
            Decimal("0.0001"), rounding=ROUND_DOWN
        ),
        respondents=main.respondents,
        self_respondents=self_respondents,
        pillars=pillars,
        dimensions=dims,
        _tree=tree,
    )


def _plain(value: Any) -> Any:
    """A JSON-safe copy of what compute_results returns (dataclasses, Decimals, UUIDs)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def result_document(results: AssessmentResults) -> dict[str, Any]:
    """The results as a JSON document: what publishing stores and what the API answers."""
    data = _plain(results)
    return data if isinstance(data, dict) else {"results": data}


# --- validation overrides ------------------------------------------------------------------


class OverrideInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("override invalid")
        self.errors = errors


def parse_override(values: Mapping[str, Any], tree: FrameworkStructure) -> tuple[UUID, Decimal, str, FormErrors]:
    errors = FormErrors()
    dimension_id: UUID | None = None
    try:
        dimension_id = UUID(str(values.get("dimension_id", "")))
        tree.dimension_by_id(dimension_id)
    except (ValueError, KeyError):
        errors.add("dimension_id", _("Elige una dimensión del modelo."))
    score: Decimal | None = None
    raw = str(values.get("score", "")).strip().replace(",", ".")
    try:
        score = Decimal(raw)
        if not score.is_finite() or not Decimal(1) <= score <= Decimal(5) or score != score.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        errors.add("score", _("Escribe un puntaje entre 1 y 5 (hasta dos decimales)."))
    reason = str(values.get("reason", "")).strip()
    if not reason:
        errors.add("reason", _("Explica por qué cambias el puntaje calculado."))
    elif len(reason) > 2000:
        errors.add("reason", _("El motivo admite hasta 2000 caracteres."))
    return dimension_id or UUID(int=0), score or Decimal(0), reason, errors


async def set_override(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, actor: Actor, values: Mapping[str, Any]
) -> DimensionOverride:
    """Record the consultant's validated score for a dimension (only while submitted)."""
    assessment = await get_assessment(db, tenant_id, assessment_id)
    tree = await structure(db, assessment.framework_version_id)
    dimension_id, score, reason, errors = parse_override(values, tree)
    if assessment.status != "submitted":
        errors.add("__all__", _("Solo se puede validar un puntaje mientras la evaluación está enviada."))
    if errors:
        raise OverrideInvalid(errors)
    results = await compute_results(db, tenant_id, assessment_id)
    dim_key = tree.dimension_by_id(dimension_id).key
    computed = results.dimension(dim_key).computed_score
    row = await db.scalar(
        select(DimensionOverride).where(
            DimensionOverride.tenant_id == tenant_id,
            DimensionOverride.assessment_id == assessment_id,
            DimensionOverride.dimension_id == dimension_id,
        )
    )
    fields = ["dimension_id", "score", "computed_score", "reason", "by_label"]
    before = snapshot(row, fields) if row else None
    if row is None:
        row = DimensionOverride(tenant_id=tenant_id, assessment_id=assessment_id, dimension_id=dimension_id)
        db.add(row)
    row.score = score  # type: ignore[assignment]
    row.computed_score = computed  # type: ignore[assignment]
    row.reason = reason
    row.by_label = actor.label[:320]
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "update" if before else "create",
        "dimension_override",
        row.id,
        before=before,
        after={**snapshot(row, fields), "assessment_id": str(assessment_id)},
    )
    return row


# --- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPoint:
    assessment_id: UUID
    title: str
    version_id: UUID
    published_at: dt.datetime | None
    overall: Decimal | None
    pillars: dict[str, Decimal | None]
    dimensions: dict[str, Decimal | None]
    document: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # the stored snapshot
    stored_at: dt.datetime | None = None  # when the snapshot was written


def _num(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _keyed(items: Any) -> dict[str, Decimal | None]:
    if isinstance(items, dict):  # {key: {...}} or {key: score}
        return {k: _num(v.get("score") if isinstance(v, dict) else v) for k, v in items.items()}
    if isinstance(items, Sequence):
        return {str(i.get("key")): _num(i.get("score")) for i in items if isinstance(i, dict)}
    return {}


async def history(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[HistoryPoint]:
    """The company's published assessments, oldest first, from their stored snapshots (plain rows
    on the driver: the results page shows them and builds nothing else from them)."""
    rows = await queries.company_history(await driver(db), tenant_id=tenant_id, company_id=company_id)
    points = []
    for row in rows:
        data = json.loads(row["data"]) if isinstance(row["data"], str) else (row["data"] or {})
        points.append(
            HistoryPoint(
                assessment_id=row["id"],
                title=row["title"],
                version_id=row["framework_version_id"],
                published_at=row["published_at"],
                overall=_num(row["overall"]) if row["overall"] is not None else _num(data.get("overall")),
                pillars=_keyed(data.get("pillars")),
                dimensions=_keyed(data.get("dimensions")),
                document=data,
                stored_at=row["stored_at"],
            )
        )
    return points


def history_of(runs: Sequence[queries.StoredRun]) -> list[HistoryPoint]:
    """:func:`history`'s points from runs read already (``queries.company_runs``)."""
    points = []
    for run in runs:
        data = json.loads(run.data) if run.data else {}
        data = data if isinstance(data, dict) else {}
        points.append(
            HistoryPoint(
                assessment_id=run.id,
                title=run.title,
                version_id=run.framework_version_id,
                published_at=run.published_at,
                overall=_num(run.overall) if run.overall is not None else _num(data.get("overall")),
                pillars=_keyed(data.get("pillars")),
                dimensions=_keyed(data.get("dimensions")),
                document=data,
                stored_at=run.stored_at,
            )
        )
    return points
