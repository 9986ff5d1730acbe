"""Answers: parsing what was typed, the autosave of one answer, the whole page, progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from advanced_alchemy.mixins.uuid import uuid7  # type: ignore[attr-defined]  # the id factory of our models
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries
from ordena.assessments.labels import status_label
from ordena.assessments.models import OPEN_STATUSES
from ordena.audit.services import Actor, AuditTrail
from ordena.db.driver import driver
from ordena.db.request_db import RequestDB
from ordena.frameworks.services import FrameworkStructure
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _


@dataclass(frozen=True)
class AnswerInput:
    level: int | None
    not_applicable: bool
    comment: str

    @property
    def answered(self) -> bool:
        """A level or «no aplica» answers the question; a comment alone does not."""
        return self.level is not None or self.not_applicable


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


@dataclass(frozen=True)
class SavedProgress:
    """The respondent's counters right after a save: the whole questionnaire and the saved
    question's dimension (the page updates both without reloading)."""

    dimension_id: UUID
    answered: int
    total: int
    dim_answered: int
    dim_total: int

    @classmethod
    def of(cls, row: asyncpg.Record | None) -> SavedProgress | None:
        if row is None or row["total"] is None:
            return None
        return cls(row["dimension_id"], row["answered"], row["total"], row["dim_answered"], row["dim_total"])


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
    progress: SavedProgress | None = None


@dataclass(frozen=True)
class _FirstAnswer:
    """Every rule holds but nothing was saved: the first answer of this side of the assessment."""

    respondent_id: UUID
    draft: bool


async def save_answer(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    value: AnswerInput,
    actor: Actor,
    *,
    respondent_id: UUID | None = None,
) -> SavedAnswer:
    """One answer, saved at once in the ORM session's transaction. ``respondent_id`` None = the
    consultant side. One statement checks and saves (``queries.save_checked``)."""
    answer_id = uuid7()
    row = await _check_and_save(
        await driver(db), tenant_id, assessment_id, question_id, value, actor, answer_id, respondent_id
    )
    if isinstance(row, SavedAnswer):
        return row
    return await _save_first_answer(
        db, tenant_id, assessment_id, question_id, value, actor, answer_id, row.respondent_id, draft=row.draft
    )


async def autosave(
    rdb: RequestDB,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    value: AnswerInput,
    actor: Actor,
) -> SavedAnswer:
    """The consultant's autosave, the product's hottest write (benchmarked): on the request's
    driver, without an ORM session unless this is the assessment's first answer. The caller
    commits (``rdb.commit()``)."""
    answer_id = uuid7()
    row = await _check_and_save(await rdb.begin(), tenant_id, assessment_id, question_id, value, actor, answer_id, None)
    if isinstance(row, SavedAnswer):
        return row
    # The first answer of a draft (once per assessment) also starts it and writes its audit row
    # through the ORM: the driver's transaction only read, so it ends here.
    await rdb.rollback()
    db = await rdb.session()
    return await _save_first_answer(
        db, tenant_id, assessment_id, question_id, value, actor, answer_id, row.respondent_id, draft=row.draft
    )


async def _check_and_save(
    con: asyncpg.Connection,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    value: AnswerInput,
    actor: Actor,
    answer_id: UUID,
    respondent_id: UUID | None,
) -> SavedAnswer | _FirstAnswer:
    """Saved, or (every rule holding but nothing saved: the assessment's first answer) what the
    first-answer path needs; raises the rule the check found broken."""
    row = await queries.save_checked(
        con,
        tenant_id=tenant_id,
        assessment_id=assessment_id,
        question_id=question_id,
        respondent_id=respondent_id,
        answer_id=answer_id,
        level=value.level,
        not_applicable=value.not_applicable,
        comment=value.comment,
        audit_id=uuid7(),
        actor_id=actor.id,
        actor_label=actor.label[:320],
        at=dt.datetime.now(dt.UTC),
    )
    if row is None:
        raise NotFound()
    resp_id = row["respondent_id"]
    if row["answer_id"] is not None:
        counters = None
        if row["was_answered"] != value.answered:  # one more read, about once per question
            counters = await queries.progress(con, tenant_id=tenant_id, respondent_id=resp_id, question_id=question_id)
        return SavedAnswer(
            row["answer_id"],
            question_id,
            resp_id,
            value.level,
            value.not_applicable,
            value.comment,
            row["updated_at"],
            progress=SavedProgress.of(counters),
        )
    _refuse_unless_first_answer(row, value, respondent_id)
    return _FirstAnswer(resp_id, draft=row["status"] == "draft")


def _refuse_unless_first_answer(row: asyncpg.Record, value: AnswerInput, respondent_id: UUID | None) -> None:
    """The rule the check-and-save found broken, as the user reads it; nothing if none is."""
    status, allows_na, resp_id, resp_submitted = (
        row["status"],
        row["allows_na"],
        row["respondent_id"],
        row["submitted_at"],
    )
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


async def _save_first_answer(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    value: AnswerInput,
    actor: Actor,
    answer_id: UUID,
    respondent_id: UUID,
    *,
    draft: bool,
) -> SavedAnswer:
    con = await driver(db)
    saved_id, saved_at = await queries.upsert_answer(
        con,
        tenant_id=tenant_id,
        answer_id=answer_id,
        assessment_id=assessment_id,
        respondent_id=respondent_id,
        question_id=question_id,
        level=value.level,
        not_applicable=value.not_applicable,
        comment=value.comment,
    )
    started = draft and await queries.start_draft(con, tenant_id=tenant_id, assessment_id=assessment_id)
    AuditTrail(db, tenant_id, actor)(
        "answer",
        "assessment",
        assessment_id,
        after={
            "question_id": str(question_id),
            "respondent_id": str(respondent_id),
            "level": value.level,
            "na": value.not_applicable,
            "comment": value.comment[:200],
            **({"status": "in_progress"} if started else {}),
        },
    )
    counters = await queries.progress(con, tenant_id=tenant_id, respondent_id=respondent_id, question_id=question_id)
    return SavedAnswer(
        saved_id,
        question_id,
        respondent_id,
        value.level,
        value.not_applicable,
        value.comment,
        saved_at,
        started,
        SavedProgress.of(counters),
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


class Answered(Protocol):
    """What progress reads of an answer (an ``Answer``, or a plain row of one)."""

    @property
    def question_id(self) -> UUID: ...
    @property
    def level(self) -> int | None: ...
    @property
    def not_applicable(self) -> bool: ...


def progress_by_dimension(tree: FrameworkStructure, answers: Sequence[Answered]) -> dict[str, Progress]:
    done = {a.question_id for a in answers if a.level is not None or a.not_applicable}
    return {d.key: Progress(sum(1 for q in d.questions if q.id in done), len(d.questions)) for d in tree.dimensions}


def total_progress(tree: FrameworkStructure, answers: Sequence[Answered]) -> Progress:
    done = {a.question_id for a in answers if a.level is not None or a.not_applicable}
    return Progress(sum(1 for q in tree.questions if q.id in done), len(tree.questions))
