"""The firm's assessment pages: list, creation, overview, status moves, invitations, the
questionnaire with its autosave, evidence."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Response, Template

from ordena.accounts.services import actor_of
from ordena.assessments.answers import AnswerInput, SavedAnswer, autosave, progress_by_dimension, total_progress
from ordena.assessments.completeness import PublishNeedsReason, readiness
from ordena.assessments.evidence import revision_file
from ordena.assessments.invitations import invite_contacts
from ordena.assessments.labels import label_functions
from ordena.assessments.lifecycle import (
    AlreadyCreated,
    AssessmentInvalid,
    NewAssessment,
    available_transitions,
    create_assessment,
    delete_draft,
)
from ordena.assessments.lifecycle import transition as move_assessment
from ordena.assessments.lookups import (
    answers_of,
    get_assessment,
    list_assessments,
    list_for_company,
    read_assessment,
    respondents,
)
from ordena.assessments.models import KINDS, STATUSES
from ordena.assessments.questionnaire import questionnaire_context
from ordena.assessments.reminders import parse_due_on, set_due_on
from ordena.assessments.routes import common
from ordena.assessments.routes.common import UPLOAD_BODY_LIMIT, Multipart, first
from ordena.companies.services import active_company_names, get_company, list_contacts
from ordena.frameworks.choice import default_choice, usable_version, usable_versions
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _
from ordena.lib.pagination import page_number
from ordena.plans.lookups import plan_for_assessment
from ordena.tenancy.models import Role
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import page as render_page
from ordena.web.pages import redirect

VIEWER = {"access": "viewer"}
CONSULTANT = {"access": "consultant"}


def _base(firm: Firm, assessment_id: UUID) -> str:
    return f"/w/{firm.tenant.slug}/assessments/{assessment_id}"


@get("/w/{slug:str}/assessments", opt=VIEWER, name="assessments")
async def list_page(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    status: FromQuery[str | None] = None,
    company_id: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
) -> Template:
    company: UUID | None = None
    if company_id:
        try:
            company = UUID(company_id)
        except ValueError:
            company = None
    status = status if status in STATUSES else None
    result = await list_assessments(db, firm.tenant_id, status=status, company_id=company, page=page_number(page))
    return render_page(
        request,
        "assessments/list.html",
        block="results",
        result=result,
        statuses=STATUSES,
        companies=await active_company_names(db, firm.tenant_id),
        filters={"status": status or "", "company_id": str(company) if company else ""},
        **label_functions(),
    )


async def _new_context(db: DB, firm: Firm, company_id: UUID, version_id: str | None = None) -> dict[str, Any]:
    """The form's context for the framework version asked for (the firm's default if none):
    its dimensions are the ones that get a target level."""
    company = await get_company(db, firm.tenant_id, company_id)
    if version_id:
        try:
            version = await usable_version(db, firm.tenant_id, UUID(version_id))
        except ValueError as exc:
            raise NotFoundException() from exc
    else:
        version = await default_choice(db, firm.tenant_id)
    tree = await structure(db, version.id)
    previous = await list_for_company(db, firm.tenant_id, company.id)
    return {
        "company": company,
        "tree": tree,
        "versions": await usable_versions(db, firm.tenant_id),
        "previous": previous,
        "kinds": KINDS,
        **label_functions(),
    }


@get("/w/{slug:str}/companies/{company_id:uuid}/assessments/new", opt=CONSULTANT, name="assessment_new")
async def new_form(
    db: DB, firm: Firm, company_id: FromPath[UUID], framework_version_id: FromQuery[str | None] = None
) -> Template:
    ctx = await _new_context(db, firm, company_id, framework_version_id)
    values: dict[str, Any] = {
        "kind": "consultant",
        "reminder_days": "7",
        "framework_version_id": str(ctx["tree"].version_id),
    }
    for d in ctx["tree"].dimensions:
        values[f"target_{d.key}"] = str(ctx["company"].default_target_level)
    if ctx["previous"]:
        values["baseline_id"] = ""
    return Template("assessments/new.html", context={**ctx, "values": values, "errors": FormErrors()})


def _new_assessment(values: dict[str, str], ctx: dict[str, Any], errors: FormErrors) -> NewAssessment:
    """The form's values as the service takes them; what cannot even be parsed goes to ``errors``."""
    targets = {
        d.key: values[f"target_{d.key}"] for d in ctx["tree"].dimensions if values.get(f"target_{d.key}", "").strip()
    }
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
    return NewAssessment(
        company_id=ctx["company"].id,
        kind=values.get("kind", ""),
        title=values.get("title", ""),
        framework_version_id=ctx["tree"].version_id,
        targets=targets,  # type: ignore[arg-type]  # checked and converted by the service
        baseline_id=baseline,
        reminder_days=reminder_days,
        due_on=parse_due_on(values.get("due_on", ""), errors),
        refuse_repeat=True,
    )


@post("/w/{slug:str}/companies/{company_id:uuid}/assessments/new", opt=CONSULTANT)
async def create(db: DB, firm: Firm, company_id: FromPath[UUID], data: Form) -> Redirect:
    values = {k: first(v) for k, v in data.items() if k != "_csrf"}
    # Another firm's (or a draft) version id is a 404, like any row this firm cannot see.
    ctx = await _new_context(db, firm, company_id, values.get("framework_version_id") or None)
    values["framework_version_id"] = str(ctx["tree"].version_id)
    errors = FormErrors()
    new = _new_assessment(values, ctx, errors)
    if not errors:
        try:
            assessment = await create_assessment(db, firm.tenant_id, actor_of(firm.user), new)
        except AssessmentInvalid as exc:
            errors = exc.errors
        except AlreadyCreated as exc:
            return redirect(
                _base(firm, exc.existing.id),
                flash=_("Ya creaste esta evaluación hace un momento: aquí está. No se creó otra."),
            )
    if errors:
        raise FormError("assessments/new.html", {**ctx, "values": values}, errors)
    return redirect(_base(firm, assessment.id), flash=_("Evaluación creada."))


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/delete", opt=CONSULTANT)
async def delete(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Redirect:
    assessment = await delete_draft(db, firm.tenant_id, actor_of(firm.user), assessment_id)
    return redirect(
        f"/w/{firm.tenant.slug}/companies/{assessment.company_id}", flash=_("Borrador de evaluación eliminado.")
    )


@get("/w/{slug:str}/assessments/{assessment_id:uuid}", opt=VIEWER, name="assessment")
async def overview(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Template:
    return Template("assessments/overview.html", context=await _overview_context(db, firm, assessment_id))


async def _overview_context(db: DB, firm: Firm, assessment_id: UUID) -> dict[str, Any]:
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    company = await get_company(db, firm.tenant_id, assessment.company_id)
    tree = await structure(db, assessment.framework_version_id)
    people = await respondents(db, firm.tenant_id, assessment.id)
    answers = await answers_of(db, firm.tenant_id, assessment.id)
    per_person = []
    for r, c in people:
        mine = [a for a in answers if a.respondent_id == r.id]
        per_person.append(
            {
                "respondent": r,
                "contact": c,
                "name": c.name if c else _("Equipo consultor"),
                "progress": progress_by_dimension(tree, mine),
                "total": total_progress(tree, mine),
            }
        )
    invited = {r.contact_id for r, _c in people if r.invited_at is not None}
    contacts = await list_contacts(db, firm.tenant_id, company.id) if assessment.kind in ("self", "both") else []
    transitions = available_transitions(assessment)
    ready = await readiness(db, firm.tenant_id, assessment) if {"validate", "publish"} & set(transitions) else None
    return {
        "assessment": assessment,
        "company": company,
        "tree": tree,
        "people": per_person,
        "overall": total_progress(tree, answers),
        "all_progress": progress_by_dimension(tree, answers),
        "transitions": transitions,
        "readiness": ready,
        "contacts": contacts,
        "invited": invited,
        "base": _base(firm, assessment.id),
        "errors": FormErrors(),
        "values": {"due_on": assessment.due_on.isoformat() if assessment.due_on else ""},
        "needs_confirm": False,
        "plan": await plan_for_assessment(db, firm.tenant_id, assessment.id),
        **label_functions(),
    }


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/transition", opt=CONSULTANT)
async def change_status(db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    action = first(data.get("action"))
    confirm = first(data.get("confirm")) in ("1", "on", "true", "yes")
    reason = first(data.get("reason"))
    if action in ("validate", "publish") and not firm.can(Role.CONSULTANT):
        raise ServiceError(_("Tu rol en esta firma no permite esta acción."), status_code=403)
    try:
        await move_assessment(
            db, firm.tenant_id, assessment_id, action, actor_of(firm.user), confirm=confirm, reason=reason
        )
    except PublishNeedsReason as exc:
        ctx = await _overview_context(db, firm, assessment_id)
        raise FormError("assessments/overview.html", {**ctx, "values": {"reason": reason}}, exc.errors) from exc
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
        invited = await invite_contacts(
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


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/due", opt=CONSULTANT)
async def change_due_on(db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    """Set or clear the date the client should answer by (a reminder goes out a few days before)."""
    errors = FormErrors()
    raw = first(data.get("due_on")) or ""
    due_on = parse_due_on(raw, errors)
    if not errors:
        try:
            await set_due_on(db, firm.tenant_id, actor_of(firm.user), assessment_id, due_on)
        except ServiceError as exc:
            if exc.status_code == 404:
                raise
            errors.add("due_on", exc.message)
    if errors:
        ctx = await _overview_context(db, firm, assessment_id)
        raise FormError("assessments/overview.html", {**ctx, "values": {"due_on": raw}}, errors)
    return redirect(_base(firm, assessment_id), flash=_("Fecha límite guardada."))


@get(
    "/w/{slug:str}/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=VIEWER, name="assessment_questionnaire"
)
async def questionnaire(db: DB, firm: Firm, assessment_id: FromPath[UUID], dimension_key: FromPath[str]) -> Template:
    assessment = await read_assessment(db, firm.tenant_id, assessment_id)
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
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    return await common.save_page(
        db,
        firm.tenant_id,
        assessment,
        dimension_key,
        data,
        actor_of(firm.user),
        None,
        _base(firm, assessment.id),
        "assessments/questionnaire.html",
        show_others=True,
    )


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/answers", opt=CONSULTANT, status_code=200)
async def save_answer(request: Request[Any, Any, Any], assessment_id: FromPath[UUID], data: Form) -> Response[str]:
    """Autosave of one answer: question_id, level (1–5 or "na"), comment → a small fragment.

    The product's hottest write runs on the request's driver, without an ORM session (see
    ordena.db.request_db and docs/benchmarks.md), so it commits here instead of in ``db``."""
    firm = firm_of(request)
    rdb = request_db(request)
    actor = actor_of(firm.user)

    async def save(question_id: UUID, value: AnswerInput) -> SavedAnswer:
        return await autosave(rdb, firm.tenant_id, assessment_id, question_id, value, actor)

    response = await common.save_one(data, save)
    await rdb.commit()
    return response


@post(
    "/w/{slug:str}/assessments/{assessment_id:uuid}/evidence", opt=CONSULTANT, request_max_body_size=UPLOAD_BODY_LIMIT
)
async def add_evidence(
    request: Request[Any, Any, Any], db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Multipart
) -> Response[Any]:
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    return await common.evidence_response(
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
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    rev, path = await revision_file(
        db, request.app.state.settings, firm.tenant_id, assessment.id, evidence_id, revision
    )
    return common.download(rev, path)


ROUTES = [
    list_page,
    new_form,
    create,
    delete,
    overview,
    change_status,
    invite,
    change_due_on,
    questionnaire,
    save_page,
    save_answer,
    add_evidence,
    download_evidence,
]
