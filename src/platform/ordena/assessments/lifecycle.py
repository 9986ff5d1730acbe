"""An assessment's life: creation (with a baseline's answers), status moves, a client
respondent's hand-in, and the snapshot stored on publishing.

    draft ──start / first answer──▶ in_progress ──submit──▶ submitted ──validate──▶ validated ──publish──▶ published
                                          ▲                     │                      │
                                          └──────── reopen ─────┴──────────────────────┘

Answers and evidence change only while the assessment is a draft or in progress (and, for a
client respondent, until that respondent has submitted). Publishing stores a
:class:`ResultSnapshot` computed by :func:`ordena.assessments.results.compute_results`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import latest
from ordena.assessments.answers import total_progress
from ordena.assessments.completeness import check_publish, readiness
from ordena.assessments.labels import status_label
from ordena.assessments.lookups import answers_of, get_assessment, get_respondent
from ordena.assessments.models import (
    KINDS,
    OPEN_STATUSES,
    Answer,
    Assessment,
    Evidence,
    Respondent,
    ResultDimensionScore,
    ResultSnapshot,
)
from ordena.assessments.results import compute_results, result_document
from ordena.assessments.results_mail import announce_results
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.companies.models import Company
from ordena.companies.services import get_company
from ordena.db.driver import driver
from ordena.frameworks.choice import default_choice, usable_version
from ordena.frameworks.models import Question
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _

# --- creation --------------------------------------------------------------------------------------


@dataclass
class NewAssessment:
    company_id: UUID
    kind: str = "consultant"
    title: str = ""
    framework_version_id: UUID | None = None
    targets: dict[str, int] | None = None
    baseline_id: UUID | None = None
    reminder_days: int = 7
    # The form sets it: the same draft asked for again within minutes is a double submission.
    refuse_repeat: bool = False
    due_on: dt.date | None = None  # checked by reminders.parse_due_on


class AssessmentInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.fields.items()))
        self.errors = errors


class AlreadyCreated(Exception):
    """The same draft was created moments ago (a double click, a re-sent form)."""

    def __init__(self, existing: Assessment) -> None:
        super().__init__("already created")
        self.existing = existing


# A second identical creation within this time is taken as a repeat, not a new assessment.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)


def _checked_targets(
    tree: FrameworkStructure, company: Company, targets: dict[str, int] | None, errors: FormErrors
) -> dict[str, int]:
    checked: dict[str, int] = {}
    for dim in tree.dimensions:
        value = (targets or {}).get(dim.key, company.default_target_level)
        try:
            level = int(value)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 5:
            errors.add(f"target_{dim.key}", _("La meta debe ser un nivel del 1 al 5."))
        checked[dim.key] = level
    return checked


async def create_assessment(db: AsyncSession, tenant_id: UUID, actor: Actor, data: NewAssessment) -> Assessment:
    """A draft assessment; with a baseline, the previous run's answers are copied per question key."""
    errors = FormErrors()
    company = await get_company(db, tenant_id, data.company_id)
    if data.kind not in KINDS:
        errors.add("kind", _("Elige el tipo de evaluación."))
    title = data.title.strip()
    if len(title) > 200:
        errors.add("title", _("El título es demasiado largo (máximo 200 caracteres)."))
    if not 1 <= data.reminder_days <= 90:
        errors.add("reminder_days", _("Los recordatorios van de 1 a 90 días."))
    version = await (
        usable_version(db, tenant_id, data.framework_version_id)
        if data.framework_version_id
        else default_choice(db, tenant_id)
    )
    tree = await structure(db, version.id)
    targets = _checked_targets(tree, company, data.targets, errors)
    baseline: Assessment | None = None
    if data.baseline_id:
        baseline = await db.scalar(
            select(Assessment).where(
                Assessment.tenant_id == tenant_id,
                Assessment.id == data.baseline_id,
                Assessment.company_id == company.id,
            )
        )
        if baseline is None:
            errors.add("baseline_id", _("Esa evaluación anterior no es de esta empresa."))
    if errors:
        raise AssessmentInvalid(errors)
    title = title or _("Evaluación de {company} · {date}").format(company=company.name, date=now().strftime("%Y-%m-%d"))
    if data.refuse_repeat:
        existing = await _recent_twin(db, tenant_id, company.id, data.kind, version.id, title)
        if existing is not None:
            raise AlreadyCreated(existing)
    assessment = Assessment(
        tenant_id=tenant_id,
        company_id=company.id,
        framework_version_id=version.id,
        baseline_id=baseline.id if baseline else None,
        title=title,
        kind=data.kind,
        status="draft",
        targets=targets,
        reminder_days=data.reminder_days,
        due_on=data.due_on,
        created_by=actor.id,
    )
    db.add(assessment)
    await db.flush()
    if data.kind in ("consultant", "both"):
        db.add(Respondent(tenant_id=tenant_id, assessment_id=assessment.id, kind="consultant", user_id=actor.id))
        await db.flush()
    copied = await _copy_baseline(db, tenant_id, baseline, assessment, tree) if baseline is not None else 0
    fields = ["company_id", "title", "kind", "status", "framework_version_id", "baseline_id", "targets"]
    AuditTrail(db, tenant_id, actor)(
        "create", "assessment", assessment.id, after={**snapshot(assessment, fields), "copied_answers": copied}
    )
    return assessment


async def _recent_twin(
    db: AsyncSession, tenant_id: UUID, company_id: UUID, kind: str, version_id: UUID, title: str
) -> Assessment | None:
    """A draft just like the one asked for, created within ``DUPLICATE_WINDOW``."""
    twin: Assessment | None = await db.scalar(
        select(Assessment)
        .where(
            Assessment.tenant_id == tenant_id,
            Assessment.company_id == company_id,
            Assessment.kind == kind,
            Assessment.framework_version_id == version_id,
            Assessment.title == title,
            Assessment.status == "draft",
            Assessment.created_at >= now() - DUPLICATE_WINDOW,
        )
        .order_by(Assessment.created_at.desc())
        .limit(1)
    )
    return twin


async def delete_draft(db: AsyncSession, tenant_id: UUID, actor: Actor, assessment_id: UUID) -> Assessment:
    """A draft nobody has answered yet is removed (respondents and copied answers go with it)."""
    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    if assessment.status != "draft":
        raise ServiceError(
            _("Solo se puede eliminar una evaluación en borrador. Estado actual: {status}.").format(
                status=status_label(assessment.status)
            ),
            status_code=409,
        )
    files = await db.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.tenant_id == tenant_id, Evidence.assessment_id == assessment.id)
    )
    if files:
        raise ServiceError(_("Este borrador ya tiene evidencias: no se puede eliminar."), status_code=409)
    before = snapshot(assessment, ["company_id", "title", "kind", "status", "framework_version_id"])
    await db.delete(assessment)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("delete", "assessment", assessment_id, before=before)
    return assessment


async def _copy_baseline(
    db: AsyncSession, tenant_id: UUID, baseline: Assessment, assessment: Assessment, tree: FrameworkStructure
) -> int:
    """Copy the baseline's answers into the matching respondents of the new run, by question key
    (the framework version may differ). Client respondents are re-created, not yet invited."""
    by_key = {q.key: q for q in tree.questions}
    rows = (
        await db.execute(
            select(Answer, Respondent, Question.key)
            .join(Respondent, (Respondent.tenant_id == Answer.tenant_id) & (Respondent.id == Answer.respondent_id))
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.tenant_id == tenant_id, Answer.assessment_id == baseline.id)
        )
    ).all()
    targets: dict[UUID | None, Respondent] = {}
    for r in await db.scalars(
        select(Respondent).where(Respondent.tenant_id == tenant_id, Respondent.assessment_id == assessment.id)
    ):
        targets[r.contact_id if r.kind == "self" else None] = r
    copied = 0
    for answer, old_respondent, key in rows:
        question = by_key.get(key)
        if question is None or (answer.not_applicable and not question.allows_na):
            continue
        slot = old_respondent.contact_id if old_respondent.kind == "self" else None
        if old_respondent.kind == "self" and assessment.kind == "consultant":
            continue
        if old_respondent.kind == "consultant" and assessment.kind == "self":
            continue
        respondent = targets.get(slot)
        if respondent is None:
            respondent = Respondent(
                tenant_id=tenant_id, assessment_id=assessment.id, kind=old_respondent.kind, contact_id=slot
            )
            db.add(respondent)
            await db.flush()
            targets[slot] = respondent
        db.add(
            Answer(
                tenant_id=tenant_id,
                assessment_id=assessment.id,
                respondent_id=respondent.id,
                question_id=question.id,
                level=answer.level,
                not_applicable=answer.not_applicable,
                comment=answer.comment,
            )
        )
        copied += 1
    await db.flush()
    return copied


# --- status moves ------------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("draft",), "in_progress"),
    "submit": (("draft", "in_progress"), "submitted"),
    "validate": (("submitted",), "validated"),
    "publish": (("validated",), "published"),
    "reopen": (("submitted", "validated"), "in_progress"),
}


def available_transitions(assessment: Assessment) -> list[str]:
    return [a for a, (sources, _target) in TRANSITIONS.items() if assessment.status in sources]


def _refused(action: str, status: str) -> ServiceError:
    messages = {
        "publish": _("Solo se puede publicar una evaluación validada."),
        "validate": _("Solo se puede validar una evaluación enviada."),
        "submit": _("Esta evaluación ya fue enviada."),
        "start": _("Esta evaluación ya empezó."),
        "reopen": _("Solo se puede reabrir una evaluación enviada o validada."),
    }
    return ServiceError(
        messages.get(action, _("Esa acción no es posible ahora."))
        + " "
        + _("Estado actual: {status}.").format(status=status_label(status)),
        status_code=409,
    )


async def missing_answers(db: AsyncSession, tenant_id: UUID, assessment: Assessment) -> int:
    """Questions no respondent has answered (a level or N/A)."""
    tree = await structure(db, assessment.framework_version_id)
    answered = set(
        await db.scalars(
            select(Answer.question_id)
            .where(
                Answer.tenant_id == tenant_id,
                Answer.assessment_id == assessment.id,
                (Answer.level.is_not(None)) | Answer.not_applicable,
            )
            .distinct()
        )
    )
    return sum(1 for q in tree.questions if q.id not in answered)


async def _submit(db: AsyncSession, tenant_id: UUID, assessment: Assessment, *, confirm: bool) -> None:
    """The consultant side hands in: refused while questions are missing, unless confirmed."""
    missing = await missing_answers(db, tenant_id, assessment)
    if missing and not confirm:
        raise ServiceError(
            _("Faltan {n} preguntas por responder. Confirma si quieres enviar de todos modos.").format(n=missing),
            status_code=422,
        )
    assessment.submitted_at = now()
    await db.execute(
        update(Respondent)
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.assessment_id == assessment.id,
            Respondent.kind == "consultant",
            Respondent.submitted_at.is_(None),
        )
        .values(submitted_at=assessment.submitted_at)
    )


async def transition(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    action: str,
    actor: Actor,
    *,
    confirm: bool = False,
    reason: str = "",
) -> Assessment:
    """Move the assessment; publishing below the firm's completeness threshold needs ``reason``
    (raises :class:`~ordena.assessments.completeness.PublishNeedsReason` without one)."""
    if action not in TRANSITIONS:
        raise ServiceError(_("Esa acción no existe."), status_code=422)
    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    sources, target = TRANSITIONS[action]
    if assessment.status not in sources:
        raise _refused(action, assessment.status)
    before = snapshot(assessment, ["status"])
    extra: dict[str, object] = {}
    if action in ("validate", "publish"):
        ready = await readiness(db, tenant_id, assessment)
        extra["completeness"] = ready.audit()
        if action == "publish":
            reason = check_publish(ready, reason)
            if reason:
                extra["reason"] = reason
    if action == "submit":
        await _submit(db, tenant_id, assessment, confirm=confirm)
    elif action == "validate":
        assessment.validated_at, assessment.validated_by = now(), actor.id
    elif action == "publish":
        assessment.published_at, assessment.published_by = now(), actor.id
    elif action == "reopen":
        assessment.submitted_at = assessment.validated_at = assessment.validated_by = None
    assessment.status = target
    await db.flush()
    if action == "publish":
        await _store_snapshot(db, tenant_id, assessment)
        await latest.published(
            await driver(db), tenant_id, assessment.company_id, assessment.id
        )  # the dashboard's rows
        announce_results(db, tenant_id, assessment.id)  # the client's emails (results_mail.py)
    after = {**snapshot(assessment, ["status", "submitted_at", "validated_at", "published_at"]), **extra}
    AuditTrail(db, tenant_id, actor)(action, "assessment", assessment.id, before=before, after=after)
    return assessment


async def _store_snapshot(db: AsyncSession, tenant_id: UUID, assessment: Assessment) -> ResultSnapshot:
    results = await compute_results(db, tenant_id, assessment.id)
    data = result_document(results)
    overall = results.overall if results.overall is not None else data.get("overall")
    row = await db.scalar(
        select(ResultSnapshot).where(
            ResultSnapshot.tenant_id == tenant_id, ResultSnapshot.assessment_id == assessment.id
        )
    )
    if row is None:
        row = ResultSnapshot(tenant_id=tenant_id, assessment_id=assessment.id)
        db.add(row)
    row.overall = float(overall) if overall is not None else None
    row.data = data
    # Flat copy of the dimension scores for portfolio and benchmark aggregates.
    await db.execute(
        delete(ResultDimensionScore).where(
            ResultDimensionScore.tenant_id == tenant_id, ResultDimensionScore.assessment_id == assessment.id
        )
    )
    db.add_all(
        ResultDimensionScore(
            tenant_id=tenant_id,
            assessment_id=assessment.id,
            company_id=assessment.company_id,
            dimension_key=d.key,
            # Cut, not rounded, like every score shown: the number and its level always agree.
            score=Decimal(d.score).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
        )
        for d in results.dimensions
        if d.score is not None
    )
    await db.flush()
    return row


# --- a client respondent hands in ------------------------------------------------------------------


async def submit_respondent(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, respondent_id: UUID, actor: Actor, *, confirm: bool = False
) -> Respondent:
    """A client respondent hands in their answers. When every invited client has, a
    self-assessment moves to submitted by itself."""
    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    respondent = await get_respondent(db, tenant_id, respondent_id)
    if respondent.assessment_id != assessment.id:
        raise NotFound()
    if respondent.submitted_at is not None:
        raise ServiceError(_("Ya enviaste tus respuestas."), status_code=409)
    if assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("Esta evaluación ya no recibe respuestas."), status_code=409)
    tree = await structure(db, assessment.framework_version_id)
    progress = total_progress(tree, await answers_of(db, tenant_id, assessment.id, respondent.id))
    if progress.answered < progress.total and not confirm:
        raise ServiceError(
            _("Faltan {n} preguntas por responder. Confirma si quieres enviar de todos modos.").format(
                n=progress.total - progress.answered
            ),
            status_code=422,
        )
    moment = now()
    respondent.submitted_at = moment
    respondent.last_activity_at = moment
    audit = AuditTrail(db, tenant_id, actor)
    audit(
        "submit",
        "respondent",
        respondent.id,
        after={"assessment_id": str(assessment.id), "answered": progress.answered, "questions": progress.total},
    )
    if assessment.kind == "self" and not await _clients_pending(db, tenant_id, assessment.id):
        before = snapshot(assessment, ["status"])
        assessment.status, assessment.submitted_at = "submitted", moment
        audit(
            "submit", "assessment", assessment.id, before=before, after=snapshot(assessment, ["status", "submitted_at"])
        )
    await db.flush()
    return respondent


async def _clients_pending(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> int:
    """Invited client respondents who have not handed in yet."""
    pending = await db.scalar(
        select(func.count())
        .select_from(Respondent)
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.assessment_id == assessment_id,
            Respondent.kind == "self",
            Respondent.invited_at.is_not(None),
            Respondent.submitted_at.is_(None),
        )
    )
    return int(pending or 0)
