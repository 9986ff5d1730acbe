"""A published assessment's results as stored at publication (:class:`ResultSnapshot`'s
document, written by ``lifecycle._store_snapshot`` from :func:`results.compute_results`): the
results page reads them back instead of recomputing every view from the answers (profiled:
recomputing was half of the page's time). Nothing changes a published assessment's results
but publishing again, which stores a new document.

A snapshot stored without the whole document (only the dimension scores, as bulk-generated
data has) is not enough to show the page: those are recomputed as before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.models import Assessment
from ordena.assessments.results import (
    AssessmentResults,
    DimensionResult,
    HistoryPoint,
    PillarResult,
    QuestionSpread,
    compute_results,
)
from ordena.frameworks.services import FrameworkStructure, structure


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _dimension(d: dict[str, Any]) -> DimensionResult:
    return DimensionResult(
        id=UUID(d["id"]),
        key=d["key"],
        pillar_key=d["pillar_key"],
        weight=Decimal(str(d["weight"])),
        score=_dec(d["score"]),
        index=_dec(d["index"]),
        level=d["level"],
        computed_score=_dec(d["computed_score"]),
        computed_level=d["computed_level"],
        override_score=_dec(d["override_score"]),
        override_reason=d["override_reason"],
        override_by=d["override_by"],
        questions=d["questions"],
        answered=d["answered"],
        not_applicable=d["not_applicable"],
        completeness=Decimal(str(d["completeness"])),
        disagreement=d["disagreement"],
        spreads=[QuestionSpread(UUID(s["question_id"]), s["key"], s["spread"]) for s in d["spreads"]],
        self_score=_dec(d["self_score"]),
        consultant_score=_dec(d["consultant_score"]),
        gap=_dec(d["gap"]),
        blind_spot=d["blind_spot"],
        target=d["target"],
        plan_gap=_dec(d["plan_gap"]),
        priority=_dec(d["priority"]),
    )


def _pillar(p: dict[str, Any]) -> PillarResult:
    return PillarResult(
        id=UUID(p["id"]),
        key=p["key"],
        weight=Decimal(str(p["weight"])),
        score=_dec(p["score"]),
        index=_dec(p["index"]),
        level=p["level"],
        self_score=_dec(p["self_score"]),
        consultant_score=_dec(p["consultant_score"]),
        dimension_keys=list(p["dimension_keys"]),
        answered=p["answered"],
        questions=p["questions"],
    )


class PublishedRun(Protocol):
    """What the results read of the assessment (an ``Assessment``, or a plain row of one)."""

    @property
    def id(self) -> UUID: ...
    @property
    def status(self) -> str: ...


def results_from_document(
    doc: dict[str, Any], assessment: PublishedRun, tree: FrameworkStructure
) -> AssessmentResults | None:
    """The results a snapshot document holds (``results.result_document``'s inverse, numbers
    back as Decimals), or None when the document is not a whole one."""
    dims, pillars = doc.get("dimensions"), doc.get("pillars")
    if not isinstance(dims, list) or not isinstance(pillars, list) or "completeness" not in doc:
        return None
    try:
        return AssessmentResults(
            assessment_id=assessment.id,
            version_id=tree.version_id,
            kind=doc["kind"],
            status=assessment.status,
            overall=_dec(doc["overall"]),
            overall_index=_dec(doc["overall_index"]),
            overall_level=doc["overall_level"],
            completeness=Decimal(str(doc["completeness"])),
            respondents=doc["respondents"],
            self_respondents=doc["self_respondents"],
            pillars=[_pillar(p) for p in pillars],
            dimensions=[_dimension(d) for d in dims],
            _tree=tree,
        )
    except (KeyError, TypeError, ValueError):
        return None  # a document of an older shape: recomputed


async def results_of(
    db: AsyncSession, tenant_id: UUID, assessment: Assessment, history: list[HistoryPoint]
) -> AssessmentResults:
    """The assessment's results: a published one's from its snapshot (found among the company's
    ``history``, read already), anything else — or a snapshot without the whole document —
    computed from the answers."""
    if assessment.status == "published":
        stored = next((p for p in history if p.assessment_id == assessment.id), None)
        if stored is not None:
            tree = await structure(db, assessment.framework_version_id)
            found = results_from_document(stored.document, assessment, tree)
            if found is not None:
                return found
    return await compute_results(db, tenant_id, assessment.id)
