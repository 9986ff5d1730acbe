"""Assessments: creation, lifecycle, answers, evidence, invitations and reminders.

Every change goes through a function here and writes the audit trail. Lifecycle rules:

    draft ──start / first answer──▶ in_progress ──submit──▶ submitted ──validate──▶ validated ──publish──▶ published
                                          ▲                     │                      │
                                          └──────── reopen ─────┴──────────────────────┘

Answers and evidence change only while the assessment is a draft or in progress (and, for a
client respondent, until that respondent has submitted). Publishing stores a
:class:`ResultSnapshot` computed by :func:`ordena.assessments.results.compute_results`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from advanced_alchemy.mixins.uuid import uuid7  # type: ignore[attr-defined]  # the id factory of our models
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.models import (
    KINDS,
    Answer,
    Assessment,
    Evidence,
    EvidenceRevision,
    Respondent,
    ResultDimensionScore,
    ResultSnapshot,
)
from ordena.audit.services import Actor, record, snapshot
from ordena.companies.models import Company, Contact
from ordena.companies.services import get_company
from ordena.db.driver import driver
from ordena.db.request_db import RequestDB
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.lib.pagination import Page

OPEN_STATUSES = ("draft", "in_progress")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv", "txt")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "txt": "text/plain",
}


def status_label(status: str) -> str:
    return {
        "draft": _("Borrador"),
        "in_progress": _("En curso"),
        "submitted": _("Enviada"),
        "validated": _("Validada"),
        "published": _("Publicada"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    return {
        "consultant": _("Evaluación del consultor"),
        "self": _("Autoevaluación del cliente"),
        "both": _("Consultor y autoevaluación"),
    }.get(kind, kind)


# --- look-ups ------------------------------------------------------------------------------------


async def list_for_company(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[Assessment]:
    """A company's assessments, newest first."""
    rows = await db.scalars(
        select(Assessment)
        .where(Assessment.tenant_id == tenant_id, Assessment.company_id == company_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    )
    return list(rows)


async def get_assessment(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, *, for_update: bool = False
) -> Assessment:
    stmt = select(Assessment).where(Assessment.tenant_id == tenant_id, Assessment.id == assessment_id)
    if for_update:
        stmt = stmt.with_for_update()
    assessment = await db.scalar(stmt)
    if assessment is None:
        raise NotFound()
    return assessment


class AssessmentPage(Page[tuple[Assessment, str]]):
    """Assessments with their company's name."""


async def list_assessments(
    db: AsyncSession,
    tenant_id: UUID,
    *,
    status: str | None = None,
    company_id: UUID | None = None,
    page: int = 1,
    per_page: int = 25,
) -> AssessmentPage:
    """The firm's assessments with their company's name, newest first."""
    where = [Assessment.tenant_id == tenant_id]
    if status:
        where.append(Assessment.status == status)
    if company_id:
        where.append(Assessment.company_id == company_id)
    total = await db.scalar(select(func.count()).select_from(Assessment).where(*where)) or 0
    page = max(1, page)
    stmt = (
        select(Assessment, Company.name)
        .join(Company, (Company.tenant_id == Assessment.tenant_id) & (Company.id == Assessment.company_id))
        .where(*where)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [(a, name) for a, name in (await db.execute(stmt)).all()]
    return AssessmentPage(rows, int(total), page, per_page)


async def companies_for_filter(db: AsyncSession, tenant_id: UUID) -> list[tuple[UUID, str]]:
    stmt = (
        select(Company.id, Company.name)
        .where(Company.tenant_id == tenant_id, Company.archived_at.is_(None))
        .order_by(Company.name)
    )
    return [(i, n) for i, n in (await db.execute(stmt)).all()]


async def respondents(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> list[tuple[Respondent, Contact | None]]:
    stmt = (
        select(Respondent, Contact)
        .outerjoin(Contact, (Contact.tenant_id == Respondent.tenant_id) & (Contact.id == Respondent.contact_id))
        .where(Respondent.tenant_id == tenant_id, Respondent.assessment_id == assessment_id)
        .order_by(Respondent.kind, Respondent.created_at)
    )
    return [(r, c) for r, c in (await db.execute(stmt)).all()]


async def answers_of(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, respondent_id: UUID | None = None
) -> list[Answer]:
    stmt = select(Answer).where(Answer.tenant_id == tenant_id, Answer.assessment_id == assessment_id)
    if respondent_id is not None:
        stmt = stmt.where(Answer.respondent_id == respondent_id)
    return list(await db.scalars(stmt))


async def consultant_respondent(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> Respondent | None:
    row: Respondent | None = await db.scalar(
        select(Respondent).where(
            Respondent.tenant_id == tenant_id,
            Respondent.assessment_id == assessment_id,
            Respondent.kind == "consultant",
        )
    )
    return row


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


class AssessmentInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.fields.items()))
        self.errors = errors


async def create_assessment(db: AsyncSession, tenant_id: UUID, actor: Actor, data: NewAssessment) -> Assessment:
    """A draft assessment; with a baseline, the previous run's answers are copied per question key."""
    from ordena.frameworks.services import default_version, get_version, structure

    errors = FormErrors()
    company = await get_company(db, tenant_id, data.company_id)
    if data.kind not in KINDS:
        errors.add("kind", _("Elige el tipo de evaluación."))
    title = data.title.strip()
    if len(title) > 200:
        errors.add("title", _("El título es demasiado largo (máximo 200 caracteres)."))
    if not 1 <= data.reminder_days <= 90:
        errors.add("reminder_days", _("Los recordatorios van de 1 a 90 días."))
    version = await (get_version(db, data.framework_version_id) if data.framework_version_id else default_version(db))
    tree = await structure(db, version.id)
    targets: dict[str, int] = {}
    for dim in tree.dimensions:
        value = (data.targets or {}).get(dim.key, company.default_target_level)
        try:
            level = int(value)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 5:
            errors.add(f"target_{dim.key}", _("La meta debe ser un nivel del 1 al 5."))
        targets[dim.key] = level
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
    assessment = Assessment(
        tenant_id=tenant_id,
        company_id=company.id,
        framework_version_id=version.id,
        baseline_id=baseline.id if baseline else None,
        title=title
        or _("Evaluación de {company} · {date}").format(company=company.name, date=now().strftime("%Y-%m-%d")),
        kind=data.kind,
        status="draft",
        targets=targets,
        reminder_days=data.reminder_days,
        created_by=actor.id,
    )
    db.add(assessment)
    await db.flush()
    if data.kind in ("consultant", "both"):
        db.add(Respondent(tenant_id=tenant_id, assessment_id=assessment.id, kind="consultant", user_id=actor.id))
        await db.flush()
    copied = 0
    if baseline is not None:
        copied = await _copy_baseline(db, tenant_id, baseline, assessment, tree)
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action="create",
        entity_type="assessment",
        entity_id=assessment.id,
        after={
            **snapshot(
                assessment, ["company_id", "title", "kind", "status", "framework_version_id", "baseline_id", "targets"]
            ),
            "copied_answers": copied,
        },
    )
    return assessment


async def _copy_baseline(
    db: AsyncSession, tenant_id: UUID, baseline: Assessment, assessment: Assessment, tree: Any
) -> int:
    """Copy the baseline's answers into the matching respondents of the new run, by question key
    (the framework version may differ). Client respondents are re-created, not yet invited."""
    from ordena.frameworks.models import Question

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


# --- lifecycle ------------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("draft",), "in_progress"),
    "submit": (("draft", "in_progress"), "submitted"),
    "validate": (("submitted",), "validated"),
    "publish": (("validated",), "published"),
    "reopen": (("submitted", "validated"), "in_progress"),
}


def transition_label(action: str) -> str:
    return {
        "start": _("Iniciar"),
        "submit": _("Enviar a validación"),
        "validate": _("Validar"),
        "publish": _("Publicar resultados"),
        "reopen": _("Reabrir"),
    }.get(action, action)


def transition_confirm(action: str) -> str:
    return {
        "start": _("¿Iniciar la evaluación?"),
        "submit": _("¿Enviar la evaluación? Ya no se podrán cambiar las respuestas."),
        "validate": _("¿Validar las respuestas de esta evaluación?"),
        "publish": _("¿Publicar los resultados? El cliente podrá verlos."),
        "reopen": _("¿Reabrir la evaluación para cambiar respuestas?"),
    }.get(action, "")


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
    from ordena.frameworks.services import structure

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


async def transition(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, action: str, actor: Actor, *, confirm: bool = False
) -> Assessment:
    if action not in TRANSITIONS:
        raise ServiceError(_("Esa acción no existe."), status_code=422)
    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    sources, target = TRANSITIONS[action]
    if assessment.status not in sources:
        raise _refused(action, assessment.status)
    before = snapshot(assessment, ["status"])
    moment = now()
    if action == "submit":
        missing = await missing_answers(db, tenant_id, assessment)
        if missing and not confirm:
            raise ServiceError(
                _("Faltan {n} preguntas por responder. Confirma si quieres enviar de todos modos.").format(n=missing),
                status_code=422,
            )
        assessment.submitted_at = moment
        await db.execute(
            update(Respondent)
            .where(
                Respondent.tenant_id == tenant_id,
                Respondent.assessment_id == assessment.id,
                Respondent.kind == "consultant",
                Respondent.submitted_at.is_(None),
            )
            .values(submitted_at=moment)
        )
    elif action == "validate":
        assessment.validated_at, assessment.validated_by = moment, actor.id
    elif action == "publish":
        assessment.published_at, assessment.published_by = moment, actor.id
    elif action == "reopen":
        assessment.submitted_at = assessment.validated_at = assessment.validated_by = None
    assessment.status = target
    await db.flush()
    if action == "publish":
        await _store_snapshot(db, tenant_id, assessment)
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action=action,
        entity_type="assessment",
        entity_id=assessment.id,
        before=before,
        after=snapshot(assessment, ["status", "submitted_at", "validated_at", "published_at"]),
    )
    return assessment


def _plain(value: Any) -> Any:
    """A JSON-safe copy of what compute_results returns (dataclasses, Decimals, UUIDs)."""
    import dataclasses
    import enum
    from decimal import Decimal

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


async def _store_snapshot(db: AsyncSession, tenant_id: UUID, assessment: Assessment) -> ResultSnapshot:
    from ordena.assessments.results import compute_results

    results = await compute_results(db, tenant_id, assessment.id)
    data = _plain(results)
    overall = getattr(results, "overall", None)
    if overall is None and isinstance(data, dict):
        overall = data.get("overall")
    row = await db.scalar(
        select(ResultSnapshot).where(
            ResultSnapshot.tenant_id == tenant_id, ResultSnapshot.assessment_id == assessment.id
        )
    )
    if row is None:
        row = ResultSnapshot(tenant_id=tenant_id, assessment_id=assessment.id)
        db.add(row)
    row.overall = float(overall) if overall is not None else None
    row.data = data if isinstance(data, dict) else {"results": data}
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


# --- answers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    level: int | None
    not_applicable: bool
    comment: str


def parse_answer(level: Any, comment: Any = "") -> AnswerInput:
    """``level`` is 1–5, "na" (no aplica) or empty (no level yet); anything else → 422."""
    raw = "" if level is None else str(level).strip().lower()
    text_comment = str(comment or "")
    if len(text_comment) > 5000:
        raise ServiceError(
            _("El comentario es demasiado largo (máximo 5000 caracteres)."), field="comment", status_code=422
        )
    if raw in ("", "none", "null"):
        return AnswerInput(None, False, text_comment)
    if raw in ("na", "n/a"):
        return AnswerInput(None, True, text_comment)
    if raw.isdigit() and 1 <= int(raw) <= 5:
        return AnswerInput(int(raw), False, text_comment)
    raise ServiceError(_("El nivel debe ser del 1 al 5, o «No aplica»."), field="level", status_code=422)


# The autosave runs on the driver (see ordena.db.request_db) as one statement: the check (the
# assessment's status, N/A allowed, the respondent) and, only when every rule holds for an
# assessment already in progress, the upsert, the respondent's activity and the audit row.
# The check's columns come back either way, so the service tells the user which rule failed.
# A draft's first answer (it also starts the assessment) takes the ORM path below.
# Benchmarked in docs/benchmarks.md. The audit row mirrors ``audit.services.record``.
_SAVE_CHECKED_SQL = """
    WITH chk AS MATERIALIZED (
        SELECT a.status, q.allows_na, r.id AS respondent_id, r.submitted_at
        FROM assessment a
        JOIN fw_question q ON q.id = $3 AND q.version_id = a.framework_version_id
        LEFT JOIN respondent r ON r.tenant_id = a.tenant_id AND r.assessment_id = a.id
             AND (CASE WHEN $4::uuid IS NULL THEN r.kind = 'consultant' ELSE r.id = $4::uuid END)
        WHERE a.tenant_id = $1 AND a.id = $2
    ), saved AS (
        INSERT INTO answer (tenant_id, id, assessment_id, respondent_id, question_id, level, not_applicable, comment, created_at, updated_at)
        SELECT $1, $5, $2, chk.respondent_id, $3, $6, $7, $8, now(), now() FROM chk
        WHERE chk.status = 'in_progress' AND chk.respondent_id IS NOT NULL AND chk.submitted_at IS NULL
          AND (chk.allows_na OR NOT $7)
        ON CONFLICT (tenant_id, respondent_id, question_id) DO UPDATE
           SET level = EXCLUDED.level, not_applicable = EXCLUDED.not_applicable, comment = EXCLUDED.comment, updated_at = now()
        RETURNING id, updated_at, respondent_id
    ), touched AS (
        UPDATE respondent SET last_activity_at = now(), updated_at = now()
        WHERE tenant_id = $1 AND id IN (SELECT respondent_id FROM saved)
          AND (last_activity_at IS NULL OR last_activity_at < now() - interval '1 minute')
    ), audited AS (
        INSERT INTO audit_event (tenant_id, id, actor_id, actor_label, action, entity_type, entity_id, before, after, created_at, updated_at)
        SELECT $1, $9, $10, $11, 'answer', 'assessment', $2::text, NULL,
               jsonb_build_object('question_id', $3::text, 'respondent_id', saved.respondent_id::text,
                                  'level', $6::int, 'na', $7::boolean, 'comment', left($8, 200)),
               $12, $12
        FROM saved
    )
    SELECT chk.status, chk.allows_na, chk.respondent_id, chk.submitted_at, saved.id AS answer_id, saved.updated_at
    FROM chk LEFT JOIN saved ON true
"""

# A respondent's last activity feeds the reminders (days without progress): kept to the minute,
# so that answers in quick succession do not all queue on the respondent's row lock.
_TOUCH_RESPONDENT = """
    touched AS (
        UPDATE respondent SET last_activity_at = now(), updated_at = now()
        WHERE tenant_id = :tenant_id AND id = :respondent_id
          AND (last_activity_at IS NULL OR last_activity_at < now() - interval '1 minute')
    )"""

_UPSERT_SQL = text(
    """
    WITH saved AS (
        INSERT INTO answer (tenant_id, id, assessment_id, respondent_id, question_id, level, not_applicable, comment, created_at, updated_at)
        VALUES (:tenant_id, :id, :assessment_id, :respondent_id, :question_id, :level, :na, :comment, now(), now())
        ON CONFLICT (tenant_id, respondent_id, question_id) DO UPDATE
           SET level = EXCLUDED.level, not_applicable = EXCLUDED.not_applicable, comment = EXCLUDED.comment, updated_at = now()
        RETURNING id, updated_at
    ),"""
    + _TOUCH_RESPONDENT
    + """
    SELECT id, updated_at FROM saved
    """
)

_START_SQL = text(
    "UPDATE assessment SET status = 'in_progress', updated_at = now() WHERE tenant_id = :tenant_id AND id = :assessment_id AND status = 'draft'"
)


@dataclass(frozen=True)
class SavedAnswer:
    answer_id: UUID
    question_id: UUID
    respondent_id: UUID
    level: int | None
    not_applicable: bool
    comment: str
    saved_at: dt.datetime
    started: bool = False


async def save_answer(
    db: AsyncSession | RequestDB,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    value: AnswerInput,
    actor: Actor,
    *,
    respondent_id: UUID | None = None,
) -> SavedAnswer:
    """One answer, saved at once (autosave). ``respondent_id`` None = the consultant side.

    Lean on purpose (benchmarked): one statement checks and saves (see ``_SAVE_CHECKED_SQL``).
    """
    params = {
        "tenant_id": tenant_id,
        "assessment_id": assessment_id,
        "question_id": question_id,
        "respondent_id": respondent_id,
    }
    con = await (db.begin() if isinstance(db, RequestDB) else driver(db))
    answer_id = uuid7()
    row = await con.fetchrow(
        _SAVE_CHECKED_SQL,
        tenant_id,
        assessment_id,
        question_id,
        respondent_id,
        answer_id,
        value.level,
        value.not_applicable,
        value.comment,
        uuid7(),
        actor.id,
        actor.label[:320],
        dt.datetime.now(dt.UTC),
    )
    if row is None:
        raise NotFound()
    status, allows_na, resp_id, resp_submitted, saved_id, saved_at = row
    if saved_id is not None:
        return SavedAnswer(saved_id, question_id, resp_id, value.level, value.not_applicable, value.comment, saved_at)
    if status not in OPEN_STATUSES:
        raise ServiceError(
            _("Esta evaluación está {status}: ya no se pueden cambiar las respuestas.").format(
                status=status_label(status).lower()
            ),
            status_code=409,
        )
    if resp_id is None:
        if respondent_id is not None:
            raise NotFound()
        raise ServiceError(_("En una autoevaluación responde el cliente; el consultor solo revisa."), status_code=409)
    if resp_submitted is not None:
        raise ServiceError(_("Ya enviaste tus respuestas; no se pueden cambiar."), status_code=409)
    if value.not_applicable and not allows_na:
        raise ServiceError(
            _("Esta pregunta no admite «No aplica»; elige un nivel del 1 al 5."), field="level", status_code=422
        )
    # Every rule holds and nothing was saved: the assessment is a draft (its first answer).
    upsert = {
        **params,
        "respondent_id": resp_id,
        "id": answer_id,
        "level": value.level,
        "na": value.not_applicable,
        "comment": value.comment,
    }
    if isinstance(db, RequestDB):
        # The first answer of a draft (once per assessment) also starts it and writes its
        # audit row through the ORM: the driver's transaction only read, so it ends here.
        await db.rollback()
        db = await db.session()
    saved = (await db.execute(_UPSERT_SQL, upsert)).one()
    started = False
    if status == "draft":
        started = (await db.execute(_START_SQL, params)).rowcount > 0  # type: ignore[attr-defined]
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action="answer",
        entity_type="assessment",
        entity_id=assessment_id,
        after={
            "question_id": str(question_id),
            "respondent_id": str(resp_id),
            "level": value.level,
            "na": value.not_applicable,
            "comment": value.comment[:200],
            **({"status": "in_progress"} if started else {}),
        },
    )
    return SavedAnswer(
        saved.id, question_id, resp_id, value.level, value.not_applicable, value.comment, saved.updated_at, started
    )


async def save_many(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    values: dict[UUID, AnswerInput],
    actor: Actor,
    *,
    respondent_id: UUID | None = None,
) -> tuple[int, dict[UUID, str]]:
    """The no-JavaScript form: every answer on the page. Returns (saved, errors by question);
    an invalid answer does not stop the others."""
    errors: dict[UUID, str] = {}
    saved = 0
    for question_id, value in values.items():
        try:
            async with db.begin_nested():
                await save_answer(db, tenant_id, assessment_id, question_id, value, actor, respondent_id=respondent_id)
            saved += 1
        except ServiceError as exc:
            if exc.status_code == 409:
                raise
            errors[question_id] = exc.message
    return saved, errors


@dataclass
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def progress_by_dimension(tree: Any, answers: list[Answer]) -> dict[str, Progress]:
    done = {a.question_id for a in answers if a.level is not None or a.not_applicable}
    return {d.key: Progress(sum(1 for q in d.questions if q.id in done), len(d.questions)) for d in tree.dimensions}


def total_progress(tree: Any, answers: list[Answer]) -> Progress:
    done = {a.question_id for a in answers if a.level is not None or a.not_applicable}
    return Progress(sum(1 for q in tree.questions if q.id in done), len(tree.questions))


# --- client respondents ----------------------------------------------------------------------------


async def get_respondent(db: AsyncSession, tenant_id: UUID, respondent_id: UUID) -> Respondent:
    row = await db.scalar(select(Respondent).where(Respondent.tenant_id == tenant_id, Respondent.id == respondent_id))
    if row is None:
        raise NotFound()
    return row


async def submit_respondent(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, respondent_id: UUID, actor: Actor, *, confirm: bool = False
) -> Respondent:
    """A client respondent hands in their answers. When every invited client has, a
    self-assessment moves to submitted by itself."""
    from ordena.frameworks.services import structure

    assessment = await get_assessment(db, tenant_id, assessment_id, for_update=True)
    respondent = await get_respondent(db, tenant_id, respondent_id)
    if respondent.assessment_id != assessment.id:
        raise NotFound()
    if respondent.submitted_at is not None:
        raise ServiceError(_("Ya enviaste tus respuestas."), status_code=409)
    if assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("Esta evaluación ya no recibe respuestas."), status_code=409)
    tree = await structure(db, assessment.framework_version_id)
    answers = await answers_of(db, tenant_id, assessment.id, respondent.id)
    missing = total_progress(tree, answers)
    if missing.answered < missing.total and not confirm:
        raise ServiceError(
            _("Faltan {n} preguntas por responder. Confirma si quieres enviar de todos modos.").format(
                n=missing.total - missing.answered
            ),
            status_code=422,
        )
    moment = now()
    respondent.submitted_at = moment
    respondent.last_activity_at = moment
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action="submit",
        entity_type="respondent",
        entity_id=respondent.id,
        after={"assessment_id": str(assessment.id), "answered": missing.answered, "questions": missing.total},
    )
    if assessment.kind == "self":
        pending = await db.scalar(
            select(func.count())
            .select_from(Respondent)
            .where(
                Respondent.tenant_id == tenant_id,
                Respondent.assessment_id == assessment.id,
                Respondent.kind == "self",
                Respondent.invited_at.is_not(None),
                Respondent.submitted_at.is_(None),
            )
        )
        if not pending:
            before = snapshot(assessment, ["status"])
            assessment.status, assessment.submitted_at = "submitted", moment
            await record(
                db,
                tenant_id=tenant_id,
                actor=actor,
                action="submit",
                entity_type="assessment",
                entity_id=assessment.id,
                before=before,
                after=snapshot(assessment, ["status", "submitted_at"]),
            )
    await db.flush()
    return respondent


def contact_landing(assessment_id: UUID) -> str:
    return f"/c/assessments/{assessment_id}"


async def invite_contacts(
    db: AsyncSession, settings: Any, tenant: Any, actor: Actor, assessment_id: UUID, contact_ids: list[UUID]
) -> list[Respondent]:
    """Each contact gets a client respondent and a personal sign-in link by email."""

    assessment = await get_assessment(db, tenant.id, assessment_id)
    if assessment.kind not in ("self", "both"):
        raise ServiceError(_("Solo se invita a clientes en una autoevaluación."), status_code=409)
    if assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("Esta evaluación ya no recibe respuestas."), status_code=409)
    if not contact_ids:
        raise ServiceError(_("Elige al menos un contacto."), field="contact_ids", status_code=422)
    contacts = list(
        await db.scalars(
            select(Contact).where(
                Contact.tenant_id == tenant.id, Contact.company_id == assessment.company_id, Contact.id.in_(contact_ids)
            )
        )
    )
    if len(contacts) != len(set(contact_ids)):
        raise NotFound()
    company = await get_company(db, tenant.id, assessment.company_id)
    existing = {
        r.contact_id: r
        for r in await db.scalars(
            select(Respondent).where(Respondent.tenant_id == tenant.id, Respondent.assessment_id == assessment.id)
        )
    }
    out: list[Respondent] = []
    for contact in contacts:
        respondent = existing.get(contact.id)
        if respondent is None:
            respondent = Respondent(
                tenant_id=tenant.id, assessment_id=assessment.id, kind="self", contact_id=contact.id
            )
            db.add(respondent)
            await db.flush()
        if respondent.submitted_at is not None:
            continue
        respondent.invited_at = now()
        await _mail_link(
            db,
            settings,
            tenant,
            assessment,
            company,
            contact,
            respondent,
            template="assessment_invitation",
            inviter=actor.label,
        )
        await record(
            db,
            tenant_id=tenant.id,
            actor=actor,
            action="invite",
            entity_type="respondent",
            entity_id=respondent.id,
            after={"assessment_id": str(assessment.id), "contact": contact.email},
        )
        out.append(respondent)
    await db.flush()
    return out


async def _mail_link(
    db: AsyncSession,
    settings: Any,
    tenant: Any,
    assessment: Assessment,
    company: Company,
    contact: Contact,
    respondent: Respondent,
    *,
    template: str,
    inviter: str = "",
) -> None:
    from ordena.accounts.services import CONTACT_SIGN_IN, issue_link
    from ordena.mail.services import send_mail

    ttl_hours = max(settings.link_ttl_hours, 24 * assessment.reminder_days)
    url = await issue_link(
        db,
        settings,
        purpose=CONTACT_SIGN_IN,
        email=contact.email,
        ttl=dt.timedelta(hours=ttl_hours),
        scope={
            "tenant_id": str(tenant.id),
            "company_id": str(company.id),
            "contact_id": str(contact.id),
            "assessment_id": str(assessment.id),
            "respondent_id": str(respondent.id),
            "landing": contact_landing(assessment.id),
        },
    )
    await send_mail(
        db,
        templates_dir=settings.templates_dir,
        to=contact.email,
        template=template,
        locale=tenant.locale,
        context={
            "name": contact.name,
            "firm": tenant.name,
            "brand_name": tenant.name,
            "brand_color": tenant.brand_color,
            "company": company.name,
            "title": assessment.title,
            "url": url,
            "hours": ttl_hours,
            "inviter": inviter,
        },
    )


# --- reminders ------------------------------------------------------------------------------------------


async def due_reminders(
    db: AsyncSession, tenant_id: UUID, at: dt.datetime | None = None
) -> list[tuple[Respondent, Assessment]]:
    """Invited client respondents who have not submitted and have been idle for the
    assessment's ``reminder_days`` (and were not reminded within that period)."""
    at = at or now()
    period = func.make_interval(0, 0, 0, Assessment.reminder_days)
    idle_since = func.coalesce(Respondent.last_activity_at, Respondent.invited_at)
    stmt = (
        select(Respondent, Assessment)
        .join(Assessment, (Assessment.tenant_id == Respondent.tenant_id) & (Assessment.id == Respondent.assessment_id))
        .where(
            Respondent.tenant_id == tenant_id,
            Respondent.kind == "self",
            Respondent.invited_at.is_not(None),
            Respondent.submitted_at.is_(None),
            Assessment.status.in_(OPEN_STATUSES),
            idle_since <= at - period,
            (Respondent.reminded_at.is_(None)) | (Respondent.reminded_at <= at - period),
        )
        .with_for_update(of=Respondent, skip_locked=True)
    )
    return [(r, a) for r, a in (await db.execute(stmt)).all()]


async def send_reminders(db: AsyncSession, settings: Any, tenant: Any, at: dt.datetime | None = None) -> int:
    """Email every due respondent of ``tenant`` a fresh link; returns how many."""
    sent = 0
    for respondent, assessment in await due_reminders(db, tenant.id, at):
        contact = await db.scalar(
            select(Contact).where(Contact.tenant_id == tenant.id, Contact.id == respondent.contact_id)
        )
        if contact is None:
            continue
        company = await get_company(db, tenant.id, assessment.company_id)
        await _mail_link(db, settings, tenant, assessment, company, contact, respondent, template="assessment_reminder")
        respondent.reminded_at = at or now()
        await record(
            db,
            tenant_id=tenant.id,
            actor=Actor(None, "ordena"),
            action="remind",
            entity_type="respondent",
            entity_id=respondent.id,
            after={"assessment_id": str(assessment.id), "contact": contact.email},
        )
        sent += 1
    await db.flush()
    return sent


# --- evidence -----------------------------------------------------------------------------------------------


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _sniff_ok(ext: str, head: bytes, content: bytes) -> bool:
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("xlsx", "docx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            # Only the central directory is read (nothing is decompressed: no zip bomb), but a
            # crafted one can still fail in other ways (bad UTF-8 names, unknown versions).
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError, OSError):
            return False
        marker = "xl/" if ext == "xlsx" else "word/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    if ext in ("csv", "txt"):
        if b"\x00" in content[:65536]:
            return False
        try:
            content[:65536].decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sample's end is still text.
            if exc.start < min(len(content), 65536) - 4:
                try:
                    content[:65536].decode("cp1252")
                except UnicodeDecodeError:
                    return False
        return True
    return False


def check_upload(filename: str, content: bytes) -> str:
    """The file's content type, or a ServiceError (422) saying why it is refused."""
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ServiceError(
            _("El archivo pesa más de 10 MB; súbelo más liviano o comparte un enlace."), field="file", status_code=422
        )
    if not content:
        raise ServiceError(_("El archivo está vacío."), field="file", status_code=422)
    ext = _extension(filename)
    if ext not in ALLOWED_EXTENSIONS or not _sniff_ok(ext, content[:16], content):
        raise ServiceError(
            _("Tipo de archivo no permitido. Sube PDF, PNG, JPG, XLSX, DOCX, CSV o TXT."), field="file", status_code=422
        )
    return CONTENT_TYPES[ext]


def _safe_filename(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "archivo"
    return re.sub(r"[\x00-\x1f\"]", "_", name)[:255]


async def _check_evidence_target(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, question_id: UUID
) -> Assessment:
    from ordena.frameworks.services import structure

    assessment = await get_assessment(db, tenant_id, assessment_id)
    if assessment.status == "published":
        raise ServiceError(_("La evaluación ya está publicada; no se puede cambiar la evidencia."), status_code=409)
    tree = await structure(db, assessment.framework_version_id)
    if not tree.has_question(question_id):
        raise NotFound()
    return assessment


async def add_file_evidence(
    db: AsyncSession,
    settings: Any,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    *,
    filename: str,
    content: bytes,
    comment: str,
    actor: Actor,
    evidence_id: UUID | None = None,
) -> tuple[Evidence, EvidenceRevision]:
    """A new file evidence, or a new revision of ``evidence_id``. Stored under
    ``data_dir/evidence/<tenant>/<evidence>/<revision>``; the SHA-256 is kept."""
    content_type = check_upload(filename, content)
    await _check_evidence_target(db, tenant_id, assessment_id, question_id)
    name = _safe_filename(filename)
    if evidence_id is not None:
        evidence = await get_evidence(db, tenant_id, assessment_id, evidence_id)
        if evidence.kind != "file":
            raise ServiceError(
                _("Esta evidencia es un enlace; agrega un archivo como evidencia nueva."), status_code=422
            )
        if comment:
            evidence.comment = comment[:5000]
    else:
        evidence = Evidence(
            tenant_id=tenant_id,
            assessment_id=assessment_id,
            question_id=question_id,
            kind="file",
            title=name[:300],
            comment=comment[:5000],
            added_by=actor.label,
        )
        db.add(evidence)
        await db.flush()
    last = await db.scalar(
        select(func.max(EvidenceRevision.revision)).where(
            EvidenceRevision.tenant_id == tenant_id, EvidenceRevision.evidence_id == evidence.id
        )
    )
    number = int(last or 0) + 1
    sha = hashlib.sha256(content).hexdigest()
    key = f"{tenant_id}/{evidence.id}/{number}"
    path = Path(settings.data_dir) / "evidence" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    revision = EvidenceRevision(
        tenant_id=tenant_id,
        evidence_id=evidence.id,
        revision=number,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=sha,
        storage_key=key,
        added_by=actor.label,
    )
    db.add(revision)
    evidence.title = name[:300]
    await db.flush()
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action="upload",
        entity_type="evidence",
        entity_id=evidence.id,
        after={
            "question_id": str(question_id),
            "revision": number,
            "filename": name,
            "sha256": sha,
            "size": len(content),
        },
    )
    return evidence, revision


def check_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise ServiceError(_("Escribe un enlace que empiece con http:// o https://."), field="url", status_code=422)
    return url


async def add_link_evidence(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    *,
    url: str,
    title: str,
    comment: str,
    actor: Actor,
) -> Evidence:
    url = check_link(url)
    await _check_evidence_target(db, tenant_id, assessment_id, question_id)
    evidence = Evidence(
        tenant_id=tenant_id,
        assessment_id=assessment_id,
        question_id=question_id,
        kind="link",
        title=(title.strip() or url)[:300],
        url=url,
        comment=comment[:5000],
        added_by=actor.label,
    )
    db.add(evidence)
    await db.flush()
    await record(
        db,
        tenant_id=tenant_id,
        actor=actor,
        action="link",
        entity_type="evidence",
        entity_id=evidence.id,
        after={"question_id": str(question_id), "url": url},
    )
    return evidence


async def get_evidence(db: AsyncSession, tenant_id: UUID, assessment_id: UUID, evidence_id: UUID) -> Evidence:
    row = await db.scalar(
        select(Evidence).where(
            Evidence.tenant_id == tenant_id,
            Evidence.assessment_id == assessment_id,
            Evidence.id == evidence_id,
            Evidence.deleted_at.is_(None),
        )
    )
    if row is None:
        raise NotFound()
    return row


@dataclass
class EvidenceItem:
    evidence: Evidence
    revisions: list[EvidenceRevision] = field(default_factory=list)

    @property
    def latest(self) -> EvidenceRevision | None:
        return self.revisions[-1] if self.revisions else None


async def evidence_by_question(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> dict[UUID, list[EvidenceItem]]:
    items: dict[UUID, EvidenceItem] = {}
    out: dict[UUID, list[EvidenceItem]] = {}
    for ev in await db.scalars(
        select(Evidence)
        .where(Evidence.tenant_id == tenant_id, Evidence.assessment_id == assessment_id, Evidence.deleted_at.is_(None))
        .order_by(Evidence.created_at)
    ):
        item = items[ev.id] = EvidenceItem(ev)
        out.setdefault(ev.question_id, []).append(item)
    if items:
        for rev in await db.scalars(
            select(EvidenceRevision)
            .where(EvidenceRevision.tenant_id == tenant_id, EvidenceRevision.evidence_id.in_(list(items)))
            .order_by(EvidenceRevision.revision)
        ):
            items[rev.evidence_id].revisions.append(rev)
    return out


async def revision_file(
    db: AsyncSession, settings: Any, tenant_id: UUID, assessment_id: UUID, evidence_id: UUID, revision: int | None
) -> tuple[EvidenceRevision, Path]:
    evidence = await get_evidence(db, tenant_id, assessment_id, evidence_id)
    stmt = select(EvidenceRevision).where(
        EvidenceRevision.tenant_id == tenant_id, EvidenceRevision.evidence_id == evidence.id
    )
    stmt = (
        stmt.where(EvidenceRevision.revision == revision)
        if revision
        else stmt.order_by(EvidenceRevision.revision.desc()).limit(1)
    )
    rev = await db.scalar(stmt)
    if rev is None:
        raise NotFound()
    path = Path(settings.data_dir) / "evidence" / rev.storage_key
    if not path.is_file():
        raise NotFound()
    return rev, path
