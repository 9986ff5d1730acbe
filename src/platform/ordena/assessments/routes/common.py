"""What the consultant's and the client contact's questionnaire handlers share: reading the
answer and evidence forms, the autosave's fragments, the page's save, downloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import File, Response, Template
from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.answers import AnswerInput, SavedAnswer, SavedProgress, parse_answer, save_many
from ordena.assessments.evidence import MAX_EVIDENCE_BYTES, add_file_evidence, add_link_evidence
from ordena.assessments.models import Assessment, EvidenceRevision
from ordena.assessments.questionnaire import questionnaire_context
from ordena.audit.services import Actor
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _
from ordena.web.forms import FormError
from ordena.web.pages import redirect

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# The evidence form may carry a file of up to 10 MB plus its fields; the service enforces the
# exact limit with a clear message, the transport only stops absurd bodies.
UPLOAD_BODY_LIMIT = MAX_EVIDENCE_BYTES + 2 * 1024 * 1024


def first(value: Any) -> str:
    """A form field's value as text (the last one if it came several times)."""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def uuid_or_404(value: Any) -> UUID:
    try:
        return UUID(first(value))
    except ValueError as exc:
        raise NotFoundException() from exc


def _answer_inputs(data: dict[str, Any]) -> tuple[dict[UUID, AnswerInput], dict[UUID, str]]:
    """``level_<question id>`` / ``comment_<question id>`` fields of the page form."""
    values: dict[UUID, AnswerInput] = {}
    errors: dict[UUID, str] = {}
    ids = {k.split("_", 1)[1] for k in data if k.startswith(("level_", "comment_"))}
    for raw in ids:
        try:
            qid = UUID(raw)
        except ValueError:
            continue
        level, comment = first(data.get(f"level_{raw}")), first(data.get(f"comment_{raw}"))
        try:
            values[qid] = parse_answer(level, comment)
        except ServiceError as exc:
            errors[qid] = exc.message
    return values, errors


def _progress_swaps(progress: SavedProgress | None) -> str:
    """htmx out-of-band swaps of the page's counters (ids as in assessments/_questionnaire.html):
    the saved question's dimension in the dimension navigation, and the total progress row."""
    if progress is None:
        return ""
    p = progress
    complete = " complete" if p.dim_total and p.dim_answered == p.dim_total else ""
    text = escape(_("{a} de {t} respondidas").format(a=p.answered, t=p.total))
    return (
        f'<small id="dim-count-{p.dimension_id}" class="dim-count{complete}" hx-swap-oob="true">'
        f"{p.dim_answered}/{p.dim_total}</small>"
        f'<div id="total-progress" class="progress-row" hx-swap-oob="true">'
        f'<progress value="{p.answered}" max="{p.total}" aria-label="{escape(_("Avance total"))}"></progress>'
        f'<small class="nowrap">{text}</small></div>'
    )


def _saved_fragment(saved: SavedAnswer) -> Response[str]:
    label = escape(_("Guardado"))
    return Response(
        f'<span class="saved" role="status">✓ {label}</span>{_progress_swaps(saved.progress)}',
        media_type="text/html",
        headers={"HX-Trigger": "answer-saved"} if saved.started else None,
    )


def _error_fragment(exc: ServiceError) -> Response[str]:
    return Response(
        f'<span class="field-error" role="alert">{escape(exc.message)}</span>',
        media_type="text/html",
        status_code=exc.status_code,
    )


# Saves one parsed answer (question id, value): the consultant's on the request's driver, the
# contact's in the ORM session.
SaveOne = Callable[[UUID, AnswerInput], Awaitable[SavedAnswer]]


async def save_one(data: dict[str, Any], save: SaveOne) -> Response[str]:
    """The autosave of one answer → the small fragment next to the question."""
    qid = uuid_or_404(data.get("question_id"))
    level = data.get("level", data.get(f"level_{qid}"))
    comment = data.get("comment", data.get(f"comment_{qid}", ""))
    try:
        saved = await save(qid, parse_answer(first(level), first(comment)))
    except ServiceError as exc:
        return _error_fragment(exc)
    return _saved_fragment(saved)


async def save_page(
    db: AsyncSession,
    tenant_id: UUID,
    assessment: Assessment,
    dimension_key: str,
    data: dict[str, Any],
    actor: Actor,
    respondent_id: UUID | None,
    base: str,
    template: str,
    *,
    show_others: bool,
) -> Response[Any]:
    """Without JavaScript: every answer of the page at once; the valid ones are saved."""
    values, errors = _answer_inputs(data)

    async def page_context() -> dict[str, Any]:
        return await questionnaire_context(
            db,
            tenant_id,
            assessment,
            dimension_key,
            respondent_id=respondent_id,
            base=base,
            editable=True,
            show_others=show_others,
        )

    try:
        _n, saved_errors = await save_many(db, tenant_id, assessment.id, values, actor, respondent_id=respondent_id)
    except ServiceError as exc:
        form_errors = FormErrors()
        form_errors.add("__all__", exc.message)
        raise FormError(template, await page_context(), form_errors, status_code=exc.status_code) from exc
    errors.update(saved_errors)
    if errors:
        # The valid answers are saved (and committed); the page comes back with what was typed.
        ctx = await page_context()
        ctx["question_errors"] = errors
        ctx["values"] = {k: first(v) for k, v in data.items()}
        form_errors = FormErrors()
        form_errors.add("__all__", _("Revisa las preguntas marcadas; las demás respuestas se guardaron."))
        return Template(template, context={**ctx, "errors": form_errors}, status_code=422)
    target = f"{base}/q/{dimension_key}"
    nxt = first(data.get("next"))
    if nxt and nxt.replace("_", "").isalnum():
        target = f"{base}/q/{nxt}"
    return redirect(target, flash=_("Respuestas guardadas."))


async def _add_evidence(
    db: AsyncSession, settings: Any, tenant_id: UUID, assessment: Assessment, data: dict[str, Any], actor: Actor
) -> tuple[UUID, str | None]:
    """The evidence form's file or link → (its question, the error to show or None)."""
    qid = uuid_or_404(data.get("question_id"))
    upload = data.get("file")
    url = first(data.get("url")).strip()
    comment = first(data.get("comment"))[:5000]
    evidence_id = first(data.get("evidence_id"))
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_EVIDENCE_BYTES + 1)
            await add_file_evidence(
                db,
                settings,
                tenant_id,
                assessment.id,
                qid,
                filename=upload.filename,
                content=content,
                comment=comment,
                actor=actor,
                evidence_id=uuid_or_404(evidence_id) if evidence_id else None,
            )
        elif url:
            await add_link_evidence(
                db, tenant_id, assessment.id, qid, url=url, title=first(data.get("title")), comment=comment, actor=actor
            )
        else:
            raise ServiceError(_("Elige un archivo o escribe un enlace."), status_code=422)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise NotFoundException() from exc
        return qid, exc.message
    return qid, None


async def evidence_response(
    db: AsyncSession,
    request: Request[Any, Any, Any],
    tenant_id: UUID,
    assessment: Assessment,
    data: dict[str, Any],
    actor: Actor,
    respondent_id: UUID | None,
    base: str,
    template: str,
    *,
    show_others: bool,
) -> Response[Any]:
    """Add the form's evidence, then back to its question either way: after an error too the
    address stays the questionnaire's (a reload must not re-send the upload), the error in a flash."""
    settings = request.app.state.settings
    qid, error = await _add_evidence(db, settings, tenant_id, assessment, data, actor)
    tree = await structure(db, assessment.framework_version_id)
    target = f"{base}/q/{tree.question(qid).dimension_key}#q-{qid}"
    if error:
        return redirect(target, flash=error, kind="error")
    return redirect(target, flash=_("Evidencia agregada."))


def download(rev: EvidenceRevision, path: Path) -> File:
    return File(
        path=path,
        filename=rev.filename,
        media_type=rev.content_type,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
