"""What the questionnaire page shows (the consultant's and the client contact's alike): one
dimension's questions with the respondent's answers, the others' answers, evidence, progress."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.answers import progress_by_dimension, total_progress
from ordena.assessments.evidence import evidence_by_question
from ordena.assessments.labels import label_functions
from ordena.assessments.lookups import answers_of, respondents
from ordena.assessments.models import OPEN_STATUSES, Answer, Assessment, Respondent
from ordena.companies.models import Contact
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _


def _others(
    people: list[tuple[Respondent, Contact | None]], answers: list[Answer], mine: Respondent | None
) -> dict[UUID, list[tuple[str, Answer]]]:
    """Every other respondent's answers by question, with who gave them."""
    names = {r.id: (c.name if c else _("Consultor")) for r, c in people}
    others: dict[UUID, list[tuple[str, Answer]]] = {}
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
    try:
        dimension = tree.dimension(dimension_key)
    except KeyError as exc:
        raise NotFound() from exc
    people = await respondents(db, tenant_id, assessment.id)
    if respondent_id is None:
        mine = next((r for r, _c in people if r.kind == "consultant"), None)
    else:
        mine = next((r for r, _c in people if r.id == respondent_id), None)
    all_answers = await answers_of(db, tenant_id, assessment.id)
    own = [a for a in all_answers if mine is not None and a.respondent_id == mine.id]
    dims = list(tree.dimensions)
    idx = dims.index(dimension)
    return {
        "assessment": assessment,
        "tree": tree,
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
