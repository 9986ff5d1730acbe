"""What the questionnaire page shows (the consultant's and the client contact's alike): one
dimension's questions with the respondent's answers, the others' answers, evidence, progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries
from ordena.assessments.answers import progress_by_dimension, total_progress
from ordena.assessments.evidence import evidence_by_question
from ordena.assessments.labels import label_functions
from ordena.assessments.models import OPEN_STATUSES, Assessment
from ordena.assessments.questionnaire_texts import questionnaire_texts
from ordena.db.driver import driver
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _


@dataclass(frozen=True, slots=True)
class RespondentRow:
    """Who answers, as the page shows them (``name``: their contact's, None without one)."""

    id: UUID
    kind: str
    name: str | None
    submitted_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One answer as the page shows it (``Answer``'s same fields)."""

    respondent_id: UUID
    question_id: UUID
    level: int | None
    not_applicable: bool
    comment: str


async def _people_and_answers(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> tuple[list[RespondentRow], list[AnswerRow]]:
    """The respondents and all their answers, in one statement as plain rows (profiled: loading
    them as ORM objects was a third of the questionnaire's time). Pending ORM changes (a save
    before the page is shown again) are flushed first."""
    await db.flush()
    people: dict[UUID, RespondentRow] = {}
    answers: list[AnswerRow] = []
    for r in await queries.questionnaire_rows(await driver(db), tenant_id=tenant_id, assessment_id=assessment_id):
        if r["respondent_id"] not in people:
            people[r["respondent_id"]] = RespondentRow(
                r["respondent_id"], r["kind"], r["contact"] or "", r["submitted_at"]
            )
        if r["question_id"] is not None:
            answers.append(
                AnswerRow(r["respondent_id"], r["question_id"], r["level"], r["not_applicable"], r["comment"])
            )
    return list(people.values()), answers


def _others(
    people: list[RespondentRow], answers: list[AnswerRow], mine: RespondentRow | None
) -> dict[UUID, list[tuple[str, AnswerRow]]]:
    """Every other respondent's answers by question, with who gave them."""
    names = {r.id: (r.name if r.name is not None else _("Consultor")) for r in people}
    others: dict[UUID, list[tuple[str, AnswerRow]]] = {}
    for a in answers:
        if mine is None or a.respondent_id != mine.id:
            others.setdefault(a.question_id, []).append((names.get(a.respondent_id, "?"), a))
    return others


async def questionnaire_context(
    db: AsyncSession,
    tenant_id: UUID,
    assessment: Assessment,
    dimension_key: str,
    *,
    respondent_id: UUID | None,
    base: str,
    editable: bool,
    show_others: bool,
) -> dict[str, Any]:
    """The page's context; ``respondent_id`` None = the consultant's respondent. An unknown
    dimension is a NotFound."""
    tree = await structure(db, assessment.framework_version_id)
    texts = questionnaire_texts(tree)
    dimension = texts.by_key.get(dimension_key)
    if dimension is None:
        raise NotFound()
    people, all_answers = await _people_and_answers(db, tenant_id, assessment.id)
    if respondent_id is None:
        mine = next((r for r in people if r.kind == "consultant"), None)
    else:
        mine = next((r for r in people if r.id == respondent_id), None)
    own = [a for a in all_answers if mine is not None and a.respondent_id == mine.id]
    dims = texts.dimensions
    idx = dims.index(dimension)
    return {
        "assessment": assessment,
        "tree": tree,
        "texts": texts,
        "dimension": dimension,
        "dimensions": dims,
        "prev_dim": dims[idx - 1] if idx > 0 else None,
        "next_dim": dims[idx + 1] if idx + 1 < len(dims) else None,
        "answers": {a.question_id: a for a in own},
        "others": _others(people, all_answers, mine) if show_others else {},
        "evidence": await evidence_by_question(db, tenant_id, assessment.id),
        "progress": progress_by_dimension(tree, own),
        "total": total_progress(tree, own),
        "base": base,
        "editable": editable and mine is not None and mine.submitted_at is None and assessment.status in OPEN_STATUSES,
        "respondent": mine,
        "question_errors": {},
        "evidence_error": None,
        "values": {},
        "errors": FormErrors(),
        **label_functions(),
    }
