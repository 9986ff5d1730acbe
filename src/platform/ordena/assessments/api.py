"""JSON API for assessments, on the same services as the pages (Bearer tokens or a session)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from ordena.accounts.services import actor_of
from ordena.assessments.answers import AnswerInput, parse_answer, save_answer
from ordena.assessments.completeness import PublishNeedsReason
from ordena.assessments.lifecycle import AssessmentInvalid, NewAssessment, create_assessment, transition
from ordena.assessments.lookups import answers_of, get_assessment, list_assessments
from ordena.assessments.models import STATUSES, Assessment
from ordena.assessments.results import compute_results, result_document
from ordena.assessments.schemas import (
    AnswerOut,
    AnswersIn,
    AssessmentCreate,
    AssessmentList,
    AssessmentOut,
    TransitionIn,
)
from ordena.lib.errors import FormErrors, ServiceError
from ordena.web.deps import DB, Firm
from ordena.web.forms import FormError

PREFIX = "/api/v1/w/{slug:str}/assessments"
TAGS = ["assessments"]


def _out(a: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=a.id,
        company_id=a.company_id,
        framework_version_id=a.framework_version_id,
        baseline_id=a.baseline_id,
        title=a.title,
        kind=a.kind,
        status=a.status,
        targets=dict(a.targets or {}),
        reminder_days=a.reminder_days,
        created_at=a.created_at,
        submitted_at=a.submitted_at,
        validated_at=a.validated_at,
        published_at=a.published_at,
    )


@get(PREFIX, opt={"access": "viewer"}, operation_id="listAssessments", tags=TAGS, summary="The firm's assessments")
async def api_list(
    db: DB,
    firm: Firm,
    status: FromQuery[str | None] = None,
    company_id: FromQuery[UUID | None] = None,
    page: FromQuery[int] = 1,
    per_page: FromQuery[int] = 25,
) -> AssessmentList:
    if status and status not in STATUSES:
        raise ServiceError(f"status must be one of {', '.join(STATUSES)}", status_code=422)
    result = await list_assessments(
        db, firm.tenant_id, status=status, company_id=company_id, page=page, per_page=max(1, min(per_page, 100))
    )
    return AssessmentList(
        items=[_out(a) for a, _n in result.items], total=result.total, page=result.page, per_page=result.per_page
    )


@post(
    PREFIX,
    opt={"access": "consultant"},
    operation_id="createAssessment",
    tags=TAGS,
    summary="Create an assessment (draft)",
)
async def api_create(db: DB, firm: Firm, data: JSONBody[AssessmentCreate]) -> AssessmentOut:
    try:
        assessment = await create_assessment(
            db,
            firm.tenant_id,
            actor_of(firm.user),
            NewAssessment(
                company_id=data.company_id,
                kind=data.kind,
                title=data.title,
                framework_version_id=data.framework_version_id,
                targets=data.targets,
                baseline_id=data.baseline_id,
                reminder_days=data.reminder_days,
            ),
        )
    except AssessmentInvalid as exc:
        raise FormError("", {}, exc.errors) from exc
    return _out(assessment)


@get(
    PREFIX + "/{assessment_id:uuid}",
    opt={"access": "viewer"},
    operation_id="getAssessment",
    tags=TAGS,
    summary="One assessment",
)
async def api_get(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> AssessmentOut:
    return _out(await get_assessment(db, firm.tenant_id, assessment_id))


@get(
    PREFIX + "/{assessment_id:uuid}/answers",
    opt={"access": "viewer"},
    operation_id="listAnswers",
    tags=TAGS,
    summary="Every respondent's answers",
)
async def api_answers(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> list[AnswerOut]:
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    return [
        AnswerOut(
            question_id=a.question_id,
            respondent_id=a.respondent_id,
            level=a.level,
            not_applicable=a.not_applicable,
            comment=a.comment,
            updated_at=a.updated_at,
        )
        for a in await answers_of(db, firm.tenant_id, assessment.id)
    ]


@put(
    PREFIX + "/{assessment_id:uuid}/answers",
    opt={"access": "consultant"},
    operation_id="saveAnswers",
    tags=TAGS,
    summary="Save the consultant's answers (all or nothing)",
)
async def api_save_answers(
    db: DB, firm: Firm, assessment_id: FromPath[UUID], data: JSONBody[AnswersIn]
) -> list[AnswerOut]:
    """Levels are 1–5, "na" or null. Any invalid answer → 422 and nothing is saved."""
    errors = FormErrors()
    values: list[tuple[UUID, AnswerInput]] = []
    for i, item in enumerate(data.answers):
        try:
            values.append((item.question_id, parse_answer(item.level, item.comment)))
        except ServiceError as exc:
            errors.add(f"answers[{i}].level", exc.message)
    if errors:
        raise FormError("", {}, errors)
    out = []
    actor = actor_of(firm.user)
    for i, (qid, value) in enumerate(values):
        try:
            saved = await save_answer(db, firm.tenant_id, assessment_id, qid, value, actor)
        except ServiceError as exc:
            if exc.status_code == 422:
                errors.add(f"answers[{i}].level", exc.message)
                raise FormError("", {}, errors) from exc
            raise
        out.append(
            AnswerOut(
                question_id=qid,
                respondent_id=saved.respondent_id,
                level=saved.level,
                not_applicable=saved.not_applicable,
                comment=saved.comment,
                updated_at=saved.saved_at,
            )
        )
    return out


@post(
    PREFIX + "/{assessment_id:uuid}/transition",
    opt={"access": "consultant"},
    operation_id="transitionAssessment",
    tags=TAGS,
    summary="Move the assessment along its lifecycle",
    status_code=200,
)
async def api_transition(
    db: DB, firm: Firm, assessment_id: FromPath[UUID], data: JSONBody[TransitionIn]
) -> AssessmentOut:
    """Publishing below the firm's completeness threshold needs ``reason`` (422 on ``reason`` without it)."""
    try:
        moved = await transition(
            db,
            firm.tenant_id,
            assessment_id,
            data.action,
            actor_of(firm.user),
            confirm=data.confirm,
            reason=data.reason,
        )
    except PublishNeedsReason as exc:
        raise FormError("", {}, exc.errors) from exc
    return _out(moved)


@get(
    PREFIX + "/{assessment_id:uuid}/results",
    opt={"access": "viewer"},
    operation_id="getAssessmentResults",
    tags=TAGS,
    summary="Scores per pillar and dimension",
)
async def api_results(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> dict[str, Any]:
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    return result_document(await compute_results(db, firm.tenant_id, assessment.id))


ROUTES = [api_list, api_create, api_get, api_answers, api_save_answers, api_transition, api_results]
