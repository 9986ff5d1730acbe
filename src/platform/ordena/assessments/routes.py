"""Assessment pages: the firm's list, creation, overview, questionnaire with autosave,
evidence, invitations; and the client contact's pages under ``/c/…`` (magic-link sessions)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Redirect, Response, Template
from markupsafe import escape

from ordena.accounts.services import actor_of
from ordena.assessments import services as svc
from ordena.assessments.models import KINDS, STATUSES, Assessment
from ordena.audit.services import Actor
from ordena.companies.services import get_company, list_contacts
from ordena.db.request_db import RequestDB
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _
from ordena.tenancy.models import Role
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, CurrentAuth, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import page as render_page
from ordena.web.pages import redirect

VIEWER = {"access": "viewer"}
CONSULTANT = {"access": "consultant"}
CONTACT = {"access": "contact"}
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# The evidence form may carry a file of up to 10 MB plus its fields; the service enforces the
# exact limit with a clear message, the transport only stops absurd bodies.
UPLOAD_BODY_LIMIT = svc.MAX_EVIDENCE_BYTES + 2 * 1024 * 1024


def _base(firm: Firm, assessment_id: UUID) -> str:
    return f"/w/{firm.tenant.slug}/assessments/{assessment_id}"


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def _uuid(value: Any) -> UUID:
    try:
        return UUID(_first(value))
    except ValueError as exc:
        raise NotFoundException() from exc


def _labels() -> dict[str, Any]:
    return {
        "status_label": svc.status_label,
        "kind_label": svc.kind_label,
        "transition_label": svc.transition_label,
        "transition_confirm": svc.transition_confirm,
    }


# --- shared questionnaire context -----------------------------------------------------------------


async def questionnaire_context(
    db: DB,
    tenant_id: UUID,
    assessment: Assessment,
    dimension_key: str,
    *,
    respondent_id: UUID | None,
    base: str,
    editable: bool,
    show_others: bool,
) -> dict[str, Any]:
    from ordena.frameworks.services import structure

    tree = await structure(db, assessment.framework_version_id)
    try:
        dimension = tree.dimension(dimension_key)
    except KeyError as exc:
        raise NotFoundException() from exc
    people = await svc.respondents(db, tenant_id, assessment.id)
    if respondent_id is None:
        mine = next((r for r, _c in people if r.kind == "consultant"), None)
    else:
        mine = next((r for r, _c in people if r.id == respondent_id), None)
    all_answers = await svc.answers_of(db, tenant_id, assessment.id)
    own = [a for a in all_answers if mine is not None and a.respondent_id == mine.id]
    others: dict[UUID, list[tuple[str, Any]]] = {}
    if show_others:
        names = {r.id: (c.name if c else _("Consultor")) for r, c in people}
        for a in all_answers:
            if mine is None or a.respondent_id != mine.id:
                others.setdefault(a.question_id, []).append((names.get(a.respondent_id, "?"), a))
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
        "others": others,
        "evidence": await svc.evidence_by_question(db, tenant_id, assessment.id),
        "progress": svc.progress_by_dimension(tree, own),
        "total": svc.total_progress(tree, own),
        "base": base,
        "editable": editable
        and mine is not None
        and mine.submitted_at is None
        and assessment.status in svc.OPEN_STATUSES,
        "respondent": mine,
        "question_errors": {},
        "evidence_error": None,
        "values": {},
        "errors": FormErrors(),
        **_labels(),
    }


def _answer_inputs(data: dict[str, Any]) -> tuple[dict[UUID, svc.AnswerInput], dict[UUID, str]]:
    """``level_<question id>`` / ``comment_<question id>`` fields of the page form."""
    values: dict[UUID, svc.AnswerInput] = {}
    errors: dict[UUID, str] = {}
    ids = {k.split("_", 1)[1] for k in data if k.startswith(("level_", "comment_"))}
    for raw in ids:
        try:
            qid = UUID(raw)
        except ValueError:
            continue
        level, comment = _first(data.get(f"level_{raw}")), _first(data.get(f"comment_{raw}"))
        try:
            values[qid] = svc.parse_answer(level, comment)
        except ServiceError as exc:
            errors[qid] = exc.message
    return values, errors


def _saved_fragment(saved: svc.SavedAnswer) -> Response[str]:
    label = escape(_("Guardado"))
    return Response(
        f'<span class="saved" role="status">✓ {label}</span>',
        media_type="text/html",
        headers={"HX-Trigger": "answer-saved"} if saved.started else None,
    )


def _error_fragment(exc: ServiceError) -> Response[str]:
    return Response(
        f'<span class="field-error" role="alert">{escape(exc.message)}</span>',
        media_type="text/html",
        status_code=exc.status_code,
    )


async def _save_one(
    db: DB | RequestDB,
    tenant_id: UUID,
    assessment_id: UUID,
    data: dict[str, Any],
    actor: Actor,
    respondent_id: UUID | None,
) -> Response[str]:
    qid = _uuid(data.get("question_id"))
    level = data.get("level", data.get(f"level_{qid}"))
    comment = data.get("comment", data.get(f"comment_{qid}", ""))
    try:
        value = svc.parse_answer(_first(level), _first(comment))
        saved = await svc.save_answer(db, tenant_id, assessment_id, qid, value, actor, respondent_id=respondent_id)
    except ServiceError as exc:
        return _error_fragment(exc)
    return _saved_fragment(saved)


# --- consultant pages ------------------------------------------------------------------------------


@get("/w/{slug:str}/assessments", opt=VIEWER, name="assessments")
async def list_page(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    status: FromQuery[str | None] = None,
    company_id: FromQuery[str | None] = None,
    page: FromQuery[int] = 1,
) -> Template:
    company: UUID | None = None
    if company_id:
        try:
            company = UUID(company_id)
        except ValueError:
            company = None
    status = status if status in STATUSES else None
    result = await svc.list_assessments(db, firm.tenant_id, status=status, company_id=company, page=page)
    return render_page(
        request,
        "assessments/list.html",
        block="results",
        result=result,
        statuses=STATUSES,
        companies=await svc.companies_for_filter(db, firm.tenant_id),
        filters={"status": status or "", "company_id": str(company) if company else ""},
        **_labels(),
    )


async def _new_context(db: DB, firm: Firm, company_id: UUID) -> dict[str, Any]:
    from ordena.frameworks.services import default_version, structure

    company = await get_company(db, firm.tenant_id, company_id)
    tree = await structure(db, (await default_version(db)).id)
    previous = await svc.list_for_company(db, firm.tenant_id, company.id)
    return {"company": company, "tree": tree, "previous": previous, "kinds": KINDS, **_labels()}


@get("/w/{slug:str}/companies/{company_id:uuid}/assessments/new", opt=CONSULTANT, name="assessment_new")
async def new_form(db: DB, firm: Firm, company_id: FromPath[UUID]) -> Template:
    ctx = await _new_context(db, firm, company_id)
    values: dict[str, Any] = {"kind": "consultant", "reminder_days": "7"}
    for d in ctx["tree"].dimensions:
        values[f"target_{d.key}"] = str(ctx["company"].default_target_level)
    if ctx["previous"]:
        values["baseline_id"] = ""
    return Template("assessments/new.html", context={**ctx, "values": values, "errors": FormErrors()})


@post("/w/{slug:str}/companies/{company_id:uuid}/assessments/new", opt=CONSULTANT)
async def create(db: DB, firm: Firm, company_id: FromPath[UUID], data: Form) -> Redirect:
    ctx = await _new_context(db, firm, company_id)
    values = {k: _first(v) for k, v in data.items() if k != "_csrf"}
    targets = {
        d.key: values[f"target_{d.key}"] for d in ctx["tree"].dimensions if values.get(f"target_{d.key}", "").strip()
    }
    errors = FormErrors()
    baseline: UUID | None = None
    if values.get("baseline_id"):
        try:
            baseline = UUID(values["baseline_id"])
        except ValueError:
            errors.add("baseline_id", _("Elige una evaluación anterior de la lista."))
    try:
        reminder_days = int(values.get("reminder_days") or 7)
    except ValueError:
        reminder_days = 0
    if not errors:
        try:
            assessment = await svc.create_assessment(
                db,
                firm.tenant_id,
                actor_of(firm.user),
                svc.NewAssessment(
                    company_id=ctx["company"].id,
                    kind=values.get("kind", ""),
                    title=values.get("title", ""),
                    targets=targets,  # type: ignore[arg-type]  # checked and converted by the service
                    baseline_id=baseline,
                    reminder_days=reminder_days,
                ),
            )
        except svc.AssessmentInvalid as exc:
            errors = exc.errors
    if errors:
        raise FormError("assessments/new.html", {**ctx, "values": values}, errors)
    return redirect(_base(firm, assessment.id), flash=_("Evaluación creada."))


@get("/w/{slug:str}/assessments/{assessment_id:uuid}", opt=VIEWER, name="assessment")
async def overview(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Template:
    return Template("assessments/overview.html", context=await _overview_context(db, firm, assessment_id))


async def _overview_context(db: DB, firm: Firm, assessment_id: UUID) -> dict[str, Any]:
    from ordena.frameworks.services import structure

    assessment = await svc.get_assessment(db, firm.tenant_id, assessment_id)
    company = await get_company(db, firm.tenant_id, assessment.company_id)
    tree = await structure(db, assessment.framework_version_id)
    people = await svc.respondents(db, firm.tenant_id, assessment.id)
    answers = await svc.answers_of(db, firm.tenant_id, assessment.id)
    per_person = []
    for r, c in people:
        mine = [a for a in answers if a.respondent_id == r.id]
        per_person.append(
            {
                "respondent": r,
                "contact": c,
                "name": c.name if c else _("Equipo consultor"),
                "progress": svc.progress_by_dimension(tree, mine),
                "total": svc.total_progress(tree, mine),
            }
        )
    invited = {r.contact_id for r, _c in people if r.invited_at is not None}
    contacts = await list_contacts(db, firm.tenant_id, company.id) if assessment.kind in ("self", "both") else []
    return {
        "assessment": assessment,
        "company": company,
        "tree": tree,
        "people": per_person,
        "overall": svc.total_progress(tree, answers),
        "all_progress": svc.progress_by_dimension(tree, answers),
        "transitions": svc.available_transitions(assessment),
        "contacts": contacts,
        "invited": invited,
        "base": _base(firm, assessment.id),
        "errors": FormErrors(),
        "needs_confirm": False,
        **_labels(),
    }


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/transition", opt=CONSULTANT)
async def change_status(db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    action = _first(data.get("action"))
    confirm = _first(data.get("confirm")) in ("1", "on", "true", "yes")
    if action in ("validate", "publish") and not firm.can(Role.CONSULTANT):
        raise ServiceError(_("Tu rol en esta firma no permite esta acción."), status_code=403)
    try:
        await svc.transition(db, firm.tenant_id, assessment_id, action, actor_of(firm.user), confirm=confirm)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        ctx = await _overview_context(db, firm, assessment_id)
        errors = FormErrors()
        errors.add("__all__", exc.message)
        raise FormError(
            "assessments/overview.html",
            {**ctx, "needs_confirm": action == "submit" and exc.status_code == 422},
            errors,
            status_code=exc.status_code,
        ) from exc
    messages = {
        "start": _("Evaluación iniciada."),
        "submit": _("Evaluación enviada a validación."),
        "validate": _("Evaluación validada."),
        "publish": _("Resultados publicados."),
        "reopen": _("Evaluación reabierta."),
    }
    return redirect(_base(firm, assessment_id), flash=messages.get(action))


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/invite", opt=CONSULTANT)
async def invite(
    request: Request[Any, Any, Any], db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form
) -> Redirect:
    raw = data.get("contact_ids", [])
    raw_ids = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in raw_ids:
        try:
            ids.append(UUID(str(value)))
        except ValueError as exc:
            raise NotFoundException() from exc
    try:
        invited = await svc.invite_contacts(
            db, request.app.state.settings, firm.tenant, actor_of(firm.user), assessment_id, ids
        )
    except ServiceError as exc:
        if exc.status_code == 404:
            raise
        ctx = await _overview_context(db, firm, assessment_id)
        errors = FormErrors()
        errors.add("contact_ids", exc.message)
        raise FormError("assessments/overview.html", ctx, errors, status_code=exc.status_code) from exc
    n = len(invited)
    return redirect(_base(firm, assessment_id), flash=_("Invitaciones enviadas: {n}.").format(n=n))


@get(
    "/w/{slug:str}/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=VIEWER, name="assessment_questionnaire"
)
async def questionnaire(db: DB, firm: Firm, assessment_id: FromPath[UUID], dimension_key: FromPath[str]) -> Template:
    assessment = await svc.get_assessment(db, firm.tenant_id, assessment_id)
    ctx = await questionnaire_context(
        db,
        firm.tenant_id,
        assessment,
        dimension_key,
        respondent_id=None,
        base=_base(firm, assessment.id),
        editable=firm.can(Role.CONSULTANT),
        show_others=True,
    )
    return Template("assessments/questionnaire.html", context=ctx)


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=CONSULTANT)
async def save_page(
    db: DB, firm: Firm, assessment_id: FromPath[UUID], dimension_key: FromPath[str], data: Form
) -> Response[Any]:
    """Without JavaScript: the page's "Guardar" button posts every answer at once."""
    assessment = await svc.get_assessment(db, firm.tenant_id, assessment_id)
    base = _base(firm, assessment.id)
    return await _save_page(
        db,
        firm.tenant_id,
        assessment,
        dimension_key,
        data,
        actor_of(firm.user),
        None,
        base,
        "assessments/questionnaire.html",
        show_others=True,
    )


async def _save_page(
    db: DB,
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
    values, errors = _answer_inputs(data)
    saved_errors: dict[UUID, str] = {}
    try:
        _n, saved_errors = await svc.save_many(db, tenant_id, assessment.id, values, actor, respondent_id=respondent_id)
    except ServiceError as exc:
        ctx = await questionnaire_context(
            db,
            tenant_id,
            assessment,
            dimension_key,
            respondent_id=respondent_id,
            base=base,
            editable=True,
            show_others=show_others,
        )
        form_errors = FormErrors()
        form_errors.add("__all__", exc.message)
        raise FormError(template, ctx, form_errors, status_code=exc.status_code) from exc
    errors.update(saved_errors)
    if errors:
        # The valid answers are saved (and committed); the page comes back with what was typed.
        ctx = await questionnaire_context(
            db,
            tenant_id,
            assessment,
            dimension_key,
            respondent_id=respondent_id,
            base=base,
            editable=True,
            show_others=show_others,
        )
        ctx["question_errors"] = errors
        ctx["values"] = {k: _first(v) for k, v in data.items()}
        form_errors = FormErrors()
        form_errors.add("__all__", _("Revisa las preguntas marcadas; las demás respuestas se guardaron."))
        return Template(template, context={**ctx, "errors": form_errors}, status_code=422)
    target = f"{base}/q/{dimension_key}"
    nxt = _first(data.get("next"))
    if nxt and nxt.replace("_", "").isalnum():
        target = f"{base}/q/{nxt}"
    return redirect(target, flash=_("Respuestas guardadas."))


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/answers", opt=CONSULTANT, status_code=200)
async def save_answer(request: Request[Any, Any, Any], assessment_id: FromPath[UUID], data: Form) -> Response[str]:
    """Autosave of one answer: question_id, level (1–5 or "na"), comment → a small fragment.

    The product's hottest write runs on the request's driver, without an ORM session (see
    ordena.db.request_db and docs/benchmarks.md), so it commits here instead of in ``db``."""
    firm = firm_of(request)
    rdb = request_db(request)
    response = await _save_one(rdb, firm.tenant_id, assessment_id, data, actor_of(firm.user), None)
    await rdb.commit()
    return response


async def _add_evidence(
    db: DB, settings: Any, tenant_id: UUID, assessment: Assessment, data: dict[str, Any], actor: Actor
) -> tuple[UUID, str | None]:
    qid = _uuid(data.get("question_id"))
    upload = data.get("file")
    url = _first(data.get("url")).strip()
    comment = _first(data.get("comment"))[:5000]
    evidence_id = _first(data.get("evidence_id"))
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(svc.MAX_EVIDENCE_BYTES + 1)
            await svc.add_file_evidence(
                db,
                settings,
                tenant_id,
                assessment.id,
                qid,
                filename=upload.filename,
                content=content,
                comment=comment,
                actor=actor,
                evidence_id=_uuid(evidence_id) if evidence_id else None,
            )
        elif url:
            await svc.add_link_evidence(
                db,
                tenant_id,
                assessment.id,
                qid,
                url=url,
                title=_first(data.get("title")),
                comment=comment,
                actor=actor,
            )
        else:
            raise ServiceError(_("Elige un archivo o escribe un enlace."), status_code=422)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise NotFoundException() from exc
        return qid, exc.message
    return qid, None


async def _evidence_response(
    db: DB,
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
    from ordena.frameworks.services import structure

    settings = request.app.state.settings
    qid, error = await _add_evidence(db, settings, tenant_id, assessment, data, actor)
    tree = await structure(db, assessment.framework_version_id)
    dim_key = tree.question(qid).dimension_key
    if error:
        ctx = await questionnaire_context(
            db,
            tenant_id,
            assessment,
            dim_key,
            respondent_id=respondent_id,
            base=base,
            editable=True,
            show_others=show_others,
        )
        ctx["evidence_error"] = (qid, error)
        errors = FormErrors()
        errors.add("__all__", error)
        return Template(template, context={**ctx, "errors": errors}, status_code=422)
    return redirect(f"{base}/q/{dim_key}#q-{qid}", flash=_("Evidencia agregada."))


@post(
    "/w/{slug:str}/assessments/{assessment_id:uuid}/evidence", opt=CONSULTANT, request_max_body_size=UPLOAD_BODY_LIMIT
)
async def add_evidence(
    request: Request[Any, Any, Any], db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Multipart
) -> Response[Any]:
    assessment = await svc.get_assessment(db, firm.tenant_id, assessment_id)
    return await _evidence_response(
        db,
        request,
        firm.tenant_id,
        assessment,
        data,
        actor_of(firm.user),
        None,
        _base(firm, assessment.id),
        "assessments/questionnaire.html",
        show_others=True,
    )


def _download(rev: Any, path: Any) -> File:
    return File(
        path=path,
        filename=rev.filename,
        media_type=rev.content_type,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@get(
    "/w/{slug:str}/assessments/{assessment_id:uuid}/evidence/{evidence_id:uuid}/download",
    opt=VIEWER,
    name="evidence_download",
)
async def download_evidence(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    assessment_id: FromPath[UUID],
    evidence_id: FromPath[UUID],
    revision: FromQuery[int | None] = None,
) -> File:
    assessment = await svc.get_assessment(db, firm.tenant_id, assessment_id)
    rev, path = await svc.revision_file(
        db, request.app.state.settings, firm.tenant_id, assessment.id, evidence_id, revision
    )
    return _download(rev, path)


# --- the client contact's pages (magic-link session) -------------------------------------------------


def _contact_scope(auth: CurrentAuth) -> dict[str, Any]:
    scope = auth.contact
    if scope is None or not scope.get("assessment_id"):
        raise NotFoundException()
    return scope


async def _contact_assessment(db: DB, auth: CurrentAuth, assessment_id: UUID) -> tuple[UUID, Assessment, UUID]:
    """The contact's own assessment (any other id → 404), its firm and their respondent."""
    scope = _contact_scope(auth)
    if str(assessment_id) != str(scope["assessment_id"]):
        raise NotFoundException()
    tenant_id = UUID(str(scope["tenant_id"]))
    assessment = await svc.get_assessment(db, tenant_id, assessment_id)
    if str(assessment.company_id) != str(scope["company_id"]):
        raise NotFoundException()
    return tenant_id, assessment, UUID(str(scope["respondent_id"]))


def _contact_actor(auth: CurrentAuth) -> Actor:
    scope = _contact_scope(auth)
    return Actor(None, f"contact:{scope.get('contact_id')}")


def _contact_base(assessment_id: UUID) -> str:
    return f"/c/assessments/{assessment_id}"


@get("/c/assessments/{assessment_id:uuid}", opt=CONTACT, name="contact_assessment")
async def contact_home(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID]) -> Template:
    return Template("contact/assessment.html", context=await _contact_home_context(db, auth, assessment_id))


async def _contact_home_context(db: DB, auth: CurrentAuth, assessment_id: UUID) -> dict[str, Any]:
    from ordena.frameworks.services import structure

    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    respondent = await svc.get_respondent(db, tenant_id, respondent_id)
    company = await get_company(db, tenant_id, assessment.company_id)
    tree = await structure(db, assessment.framework_version_id)
    mine = await svc.answers_of(db, tenant_id, assessment.id, respondent_id)
    published = [a for a in await svc.list_for_company(db, tenant_id, company.id) if a.status == "published"]
    return {
        "assessment": assessment,
        "company": company,
        "tree": tree,
        "respondent": respondent,
        "progress": svc.progress_by_dimension(tree, mine),
        "total": svc.total_progress(tree, mine),
        "published": published,
        "base": _contact_base(assessment.id),
        "errors": FormErrors(),
        "needs_confirm": False,
        **_labels(),
    }


@get("/c/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=CONTACT, name="contact_questionnaire")
async def contact_questionnaire(
    db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], dimension_key: FromPath[str]
) -> Template:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    ctx = await questionnaire_context(
        db,
        tenant_id,
        assessment,
        dimension_key,
        respondent_id=respondent_id,
        base=_contact_base(assessment.id),
        editable=True,
        show_others=False,
    )
    return Template("contact/questionnaire.html", context=ctx)


@post("/c/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=CONTACT)
async def contact_save_page(
    db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], dimension_key: FromPath[str], data: Form
) -> Response[Any]:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    return await _save_page(
        db,
        tenant_id,
        assessment,
        dimension_key,
        data,
        _contact_actor(auth),
        respondent_id,
        _contact_base(assessment.id),
        "contact/questionnaire.html",
        show_others=False,
    )


@post("/c/assessments/{assessment_id:uuid}/answers", opt=CONTACT, status_code=200)
async def contact_save_answer(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Form) -> Response[str]:
    scope = _contact_scope(auth)
    if str(assessment_id) != str(scope["assessment_id"]):
        raise NotFoundException()
    # The respondent id from the session ties the answer to this contact and assessment.
    return await _save_one(
        db, UUID(str(scope["tenant_id"])), assessment_id, data, _contact_actor(auth), UUID(str(scope["respondent_id"]))
    )


@post("/c/assessments/{assessment_id:uuid}/evidence", opt=CONTACT, request_max_body_size=UPLOAD_BODY_LIMIT)
async def contact_add_evidence(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Multipart
) -> Response[Any]:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    respondent = await svc.get_respondent(db, tenant_id, respondent_id)
    if respondent.submitted_at is not None or assessment.status not in svc.OPEN_STATUSES:
        raise ServiceError(_("Ya enviaste tus respuestas; no se pueden cambiar."), status_code=409)
    actor = _contact_actor(auth)
    evidence_id = _first(data.get("evidence_id"))
    if evidence_id:
        # A contact adds revisions to their own files only, never to the consultant's or
        # another respondent's evidence.
        evidence = await svc.get_evidence(db, tenant_id, assessment.id, _uuid(evidence_id))
        if evidence.added_by != actor.label:
            raise NotFoundException()
    return await _evidence_response(
        db,
        request,
        tenant_id,
        assessment,
        data,
        actor,
        respondent_id,
        _contact_base(assessment.id),
        "contact/questionnaire.html",
        show_others=False,
    )


@get("/c/assessments/{assessment_id:uuid}/evidence/{evidence_id:uuid}/download", opt=CONTACT)
async def contact_download(
    request: Request[Any, Any, Any],
    db: DB,
    auth: CurrentAuth,
    assessment_id: FromPath[UUID],
    evidence_id: FromPath[UUID],
    revision: FromQuery[int | None] = None,
) -> File:
    tenant_id, assessment, _r = await _contact_assessment(db, auth, assessment_id)
    rev, path = await svc.revision_file(db, request.app.state.settings, tenant_id, assessment.id, evidence_id, revision)
    return _download(rev, path)


@post("/c/assessments/{assessment_id:uuid}/submit", opt=CONTACT)
async def contact_submit(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    confirm = _first(data.get("confirm")) in ("1", "on", "true", "yes")
    try:
        await svc.submit_respondent(db, tenant_id, assessment.id, respondent_id, _contact_actor(auth), confirm=confirm)
    except ServiceError as exc:
        ctx = await _contact_home_context(db, auth, assessment_id)
        errors = FormErrors()
        errors.add("__all__", exc.message)
        raise FormError(
            "contact/assessment.html",
            {**ctx, "needs_confirm": exc.status_code == 422},
            errors,
            status_code=exc.status_code,
        ) from exc
    return redirect(_contact_base(assessment.id), flash=_("¡Gracias! Enviaste tus respuestas."))


@get("/c/assessments/{assessment_id:uuid}/results", opt=CONTACT, name="contact_results")
async def contact_results(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID]) -> Template:
    """Published results of the contact's company (this assessment or an earlier published one)."""
    from ordena.assessments.results import compute_results

    scope = _contact_scope(auth)
    tenant_id = UUID(str(scope["tenant_id"]))
    assessment = await svc.get_assessment(db, tenant_id, assessment_id)
    if str(assessment.company_id) != str(scope["company_id"]) or assessment.status != "published":
        raise NotFoundException()
    from ordena.reports.charts import results_charts

    company = await get_company(db, tenant_id, assessment.company_id)
    results = await compute_results(db, tenant_id, assessment.id)
    charts = results_charts(results, [])
    return Template(
        "contact/results.html",
        context={
            "assessment": assessment,
            "company": company,
            "results": results,
            "charts": charts,
            "home": _contact_base(UUID(str(scope["assessment_id"]))),
            **_labels(),
        },
    )


ROUTES = [
    list_page,
    new_form,
    create,
    overview,
    change_status,
    invite,
    questionnaire,
    save_page,
    save_answer,
    add_evidence,
    download_evidence,
    contact_home,
    contact_questionnaire,
    contact_save_page,
    contact_save_answer,
    contact_add_evidence,
    contact_download,
    contact_submit,
    contact_results,
]
