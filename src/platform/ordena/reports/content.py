"""What an assessment's report says, gathered once for the PDF and the workbook.

Everything is read in the report's language (the caller sets it) and turned into plain values:
the renderers never touch the database. The peer percentile is a hook: ``benchmark`` stays
None until the networks domain passes a :class:`BenchmarkSection` in, and the section is absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import results as results_service
from ordena.assessments.labels import kind_label, status_label
from ordena.assessments.lookups import get_assessment
from ordena.assessments.models import Answer, Assessment, Evidence, Respondent
from ordena.assessments.results import AssessmentResults, DimensionResult, HistoryPoint, PillarResult
from ordena.assessments.scoring import combine
from ordena.companies.models import Company, Contact
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _
from ordena.plans import labels as plan_labels
from ordena.plans.lookups import list_initiatives, owner_choices, owner_value, plan_for_assessment
from ordena.plans.progress import PlanProgress, plan_progress
from ordena.reports.charts import ResultsCharts, results_charts
from ordena.reports.results_view import current_point
from ordena.tenancy.models import Tenant


@dataclass(frozen=True)
class Comment:
    author: str
    text: str


@dataclass(frozen=True)
class QuestionRow:
    key: str
    text: str
    level: int | None  # the headline side's level (the mean of several respondents, rounded)
    level_name: str
    descriptor: str  # the chosen level's anchored descriptor
    not_applicable: bool
    self_level: int | None  # the client's view, when the assessment has both sides
    comments: list[Comment]
    evidence: list[str]

    @property
    def answered(self) -> bool:
        return self.level is not None or self.not_applicable


@dataclass(frozen=True)
class DimensionSection:
    name: str
    result: DimensionResult
    questions: list[QuestionRow]


@dataclass(frozen=True)
class PillarSection:
    name: str
    result: PillarResult
    radar: Markup
    dimensions: list[DimensionSection]


@dataclass(frozen=True)
class PlanRow:
    priority: int
    priority_label: str
    title: str
    dimension: str
    owner: str
    start_on: dt.date | None
    due_on: dt.date | None
    status: str
    status_label: str
    progress: int


@dataclass(frozen=True)
class PlanSection:
    title: str
    rows: list[PlanRow]

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.status == "done")

    @property
    def progress(self) -> int:
        return round(sum(r.progress for r in self.rows) / len(self.rows)) if self.rows else 0


@dataclass(frozen=True)
class BenchmarkRow:
    dimension: str
    score: Decimal | None
    median: Decimal | None
    percentile: int | None  # the client's percentile rank in the cohort (0–100)


@dataclass(frozen=True)
class BenchmarkSection:
    """The peer percentile (networks, issue #12): passed in by the caller when a release exists."""

    cohort: str  # e.g. "Comercio · mediana · Perú"
    n_band: str  # n as a band, never exact (DESIGN §11)
    release: str
    overall_percentile: int | None
    rows: list[BenchmarkRow]


@dataclass(frozen=True)
class Branding:
    name: str
    color: str
    logo: str | None  # a data: URI or a path under /static; anything else is left out

    @property
    def initials(self) -> str:
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or "·"


@dataclass(frozen=True)
class ReportDocument:
    branding: Branding
    company_name: str
    company_ruc: str
    assessment: Assessment
    kind_label: str
    status_label: str
    framework: str
    generated_on: dt.date
    results: AssessmentResults
    charts: ResultsCharts
    pillars: list[PillarSection]
    history: list[HistoryPoint]
    plan: PlanSection | None
    progress: PlanProgress | None
    include_comments: bool
    benchmark: BenchmarkSection | None = None
    strongest: list[DimensionResult] = field(default_factory=list)
    weakest: list[DimensionResult] = field(default_factory=list)

    @property
    def dimension_count(self) -> int:
        return len(self.results.dimensions)


def _color(value: str | None) -> str:
    text = (value or "").strip()
    ok = len(text) == 7 and text.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    return text if ok else "#1f6f5c"


def _logo(value: str | None) -> str | None:
    text = (value or "").strip()
    if text.startswith("data:image/") or (text.startswith("/static/") and ".." not in text):
        return text
    return None


async def _answers(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> list[tuple[UUID, int | None, bool, str, str, str]]:
    """(question, level, N/A, comment, side, author) of every answer, contacts' names joined."""
    stmt = (
        select(
            Answer.question_id,
            Answer.level,
            Answer.not_applicable,
            Answer.comment,
            Respondent.kind,
            Contact.name,
        )
        .join(Respondent, (Respondent.tenant_id == Answer.tenant_id) & (Respondent.id == Answer.respondent_id))
        .outerjoin(Contact, (Contact.tenant_id == Respondent.tenant_id) & (Contact.id == Respondent.contact_id))
        .where(Answer.tenant_id == tenant_id, Answer.assessment_id == assessment_id)
        .order_by(Respondent.kind, Respondent.created_at, Answer.question_id)
    )
    return [(q, lv, na, c or "", kind, name or "") for q, lv, na, c, kind, name in (await db.execute(stmt)).all()]


async def _evidence(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> dict[UUID, list[str]]:
    rows = await db.execute(
        select(Evidence.question_id, Evidence.title)
        .where(Evidence.tenant_id == tenant_id, Evidence.assessment_id == assessment_id, Evidence.deleted_at.is_(None))
        .order_by(Evidence.created_at)
    )
    out: dict[UUID, list[str]] = {}
    for question_id, title in rows.all():
        out.setdefault(question_id, []).append(title)
    return out


def _level_of(levels: Sequence[int | None]) -> tuple[int | None, bool]:
    """The combined level of a question's answers (rounded mean) and whether it is N/A."""
    if not levels:
        return None, False
    combined = combine(levels)
    if combined.level is None:
        return None, True
    return int(Decimal(str(float(combined.level))).quantize(Decimal(1))), False


def _sections(
    results: AssessmentResults,
    charts: ResultsCharts,
    answers: list[tuple[UUID, int | None, bool, str, str, str]],
    evidence: dict[UUID, list[str]],
    include_comments: bool,
) -> list[PillarSection]:
    tree = results.tree
    headline = "self" if results.kind == "self" else "consultant"
    levels: dict[str, dict[UUID, list[int | None]]] = {"consultant": {}, "self": {}}
    comments: dict[UUID, list[Comment]] = {}
    for question_id, level, na, comment, side, author in answers:
        if side in levels and (level is not None or na):
            levels[side].setdefault(question_id, []).append(None if na else level)
        if include_comments and comment.strip():
            who = _("Consultor") if side == "consultant" else (author or _("Cliente"))
            comments.setdefault(question_id, []).append(Comment(who, comment.strip()))
    pillars = []
    for p in results.pillars:
        dims = []
        for d in results.dimensions_of(p.key):
            rows = []
            for q in tree.dimension(d.key).questions:
                level, na = _level_of(levels[headline].get(q.id, []))
                self_level = None
                if results.kind == "both":
                    self_level, _na = _level_of(levels["self"].get(q.id, []))
                rows.append(
                    QuestionRow(
                        key=q.key,
                        text=tree.label(q.text),
                        level=level,
                        level_name=results.level_name(level) if level else "",
                        descriptor=tree.label(q.levels.get(level)) if level else "",
                        not_applicable=na,
                        self_level=self_level,
                        comments=comments.get(q.id, []),
                        evidence=evidence.get(q.id, []),
                    )
                )
            dims.append(DimensionSection(results.dimension_name(d.key), d, rows))
        pillars.append(PillarSection(results.pillar_name(p.key), p, charts.radars[p.key], dims))
    return pillars


async def _plan(
    db: AsyncSession, tenant_id: UUID, assessment: Assessment, results: AssessmentResults
) -> PlanSection | None:
    plan = await plan_for_assessment(db, tenant_id, assessment.id)
    if plan is None:
        return None
    owners = {o.value: o.label for o in await owner_choices(db, tenant_id, plan.company_id)}
    rows = []
    for i in await list_initiatives(db, tenant_id, plan.id):
        try:
            dimension = results.dimension_name(i.dimension_key)
        except KeyError:
            dimension = i.dimension_key
        rows.append(
            PlanRow(
                priority=i.priority,
                priority_label=plan_labels.priority_label(i.priority),
                title=i.title,
                dimension=dimension,
                owner=owners.get(owner_value(i), ""),
                start_on=i.start_on,
                due_on=i.due_on,
                status=i.status,
                status_label=plan_labels.status_label(i.status),
                progress=i.progress,
            )
        )
    return PlanSection(plan.title, rows)


async def _history(
    db: AsyncSession, tenant_id: UUID, assessment: Assessment, results: AssessmentResults
) -> list[HistoryPoint]:
    """Earlier published runs of the company, then this one (its live scores or its snapshot)."""
    points = [
        p
        for p in await results_service.history(db, tenant_id, assessment.company_id)
        if p.assessment_id != assessment.id
    ]
    if not points:
        return []
    return [*points, current_point(assessment, results)]


async def _progress(db: AsyncSession, tenant_id: UUID, assessment: Assessment) -> PlanProgress | None:
    if assessment.status != "published" or assessment.baseline_id is None:
        return None
    try:
        return await plan_progress(db, tenant_id, assessment.id)
    except ServiceError:
        return None


def _extremes(results: AssessmentResults) -> tuple[list[DimensionResult], list[DimensionResult]]:
    scored = [d for d in results.dimensions if d.score is not None]
    if len(scored) < 2:
        return scored, []
    ranked = sorted(scored, key=lambda d: d.score or 0, reverse=True)
    n = min(3, len(ranked) // 2)
    return ranked[:n], list(reversed(ranked[-n:]))


async def load_report(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    *,
    include_comments: bool = True,
    today: dt.date | None = None,
    benchmark: BenchmarkSection | None = None,
) -> ReportDocument:
    """The report's content in the current language (set it with ``use_locale`` first)."""
    assessment = await get_assessment(db, tenant_id, assessment_id)
    tenant = await db.get(Tenant, tenant_id)
    company = await db.get(Company, (tenant_id, assessment.company_id))
    results = await results_service.compute_results(db, tenant_id, assessment_id)
    history = await _history(db, tenant_id, assessment, results)
    charts = results_charts(results, history)
    answers = await _answers(db, tenant_id, assessment_id)
    evidence = await _evidence(db, tenant_id, assessment_id)
    strongest, weakest = _extremes(results)
    return ReportDocument(
        branding=Branding(
            tenant.name if tenant else "",
            _color(tenant.brand_color if tenant else None),
            _logo(tenant.logo_url if tenant else None),
        ),
        company_name=company.name if company else "",
        company_ruc=(company.ruc or "") if company else "",
        assessment=assessment,
        kind_label=kind_label(assessment.kind),
        status_label=status_label(assessment.status),
        framework=f"{results.tree.label(results.tree.name)} v{results.tree.version}",
        generated_on=today or dt.datetime.now(dt.UTC).date(),
        results=results,
        charts=charts,
        pillars=_sections(results, charts, answers, evidence, include_comments),
        history=history,
        plan=await _plan(db, tenant_id, assessment, results),
        progress=await _progress(db, tenant_id, assessment),
        include_comments=include_comments,
        benchmark=benchmark,
        strongest=strongest,
        weakest=weakest,
    )
