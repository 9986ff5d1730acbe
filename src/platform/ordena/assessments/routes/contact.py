"""The client contact's pages under ``/c/…`` (a magic-link session scoped to one respondent
of one assessment): home, questionnaire with autosave, evidence, hand-in, published results."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import File, Redirect, Response, Template

from ordena.accounts.services import normalize_email
from ordena.assessments.answers import AnswerInput, SavedAnswer, progress_by_dimension, save_answer, total_progress
from ordena.assessments.contact_links import TooManyRequests, request_fresh_links
from ordena.assessments.evidence import get_evidence, revision_file
from ordena.assessments.invitations import contact_landing
from ordena.assessments.labels import label_functions
from ordena.assessments.lifecycle import submit_respondent
from ordena.assessments.lookups import answers_of, get_assessment, get_respondent, list_for_company, read_assessment
from ordena.assessments.models import OPEN_STATUSES, Assessment
from ordena.assessments.questionnaire import questionnaire_context
from ordena.assessments.results import compute_results
from ordena.assessments.routes import common
from ordena.assessments.routes.common import UPLOAD_BODY_LIMIT, Multipart, first, uuid_or_404
from ordena.audit.services import Actor
from ordena.companies.services import get_company
from ordena.db.driver import driver
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _
from ordena.networks.benchmark_view import section
from ordena.reports.charts import results_charts
from ordena.reports.services import ready_pdfs
from ordena.web.deps import DB, CurrentAuth, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect

CONTACT = {"access": "contact"}
PUBLIC = {"access": "public"}


def _contact_scope(auth: CurrentAuth) -> dict[str, Any]:
    scope = auth.contact
    if scope is None or not scope.get("assessment_id"):
        raise NotFoundException()
    return scope


async def _contact_assessment(
    db: DB, auth: CurrentAuth, assessment_id: UUID, *, read_only: bool = False
) -> tuple[UUID, Assessment, UUID]:
    """The contact's own assessment (any other id → 404), its firm and their respondent;
    ``read_only``: for a page that only displays it (``read_assessment``)."""
    scope = _contact_scope(auth)
    if str(assessment_id) != str(scope["assessment_id"]):
        raise NotFoundException()
    tenant_id = UUID(str(scope["tenant_id"]))
    read = read_assessment if read_only else get_assessment
    assessment = await read(db, tenant_id, assessment_id)
    if str(assessment.company_id) != str(scope["company_id"]):
        raise NotFoundException()
    return tenant_id, assessment, UUID(str(scope["respondent_id"]))


def _contact_actor(auth: CurrentAuth) -> Actor:
    scope = _contact_scope(auth)
    return Actor(None, f"contact:{scope.get('contact_id')}")


@get("/c/assessments/{assessment_id:uuid}", opt=CONTACT, name="contact_assessment")
async def contact_home(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID]) -> Template:
    return Template("contact/assessment.html", context=await _contact_home_context(db, auth, assessment_id))


async def _contact_home_context(db: DB, auth: CurrentAuth, assessment_id: UUID) -> dict[str, Any]:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    respondent = await get_respondent(db, tenant_id, respondent_id)
    company = await get_company(db, tenant_id, assessment.company_id)
    tree = await structure(db, assessment.framework_version_id)
    mine = await answers_of(db, tenant_id, assessment.id, respondent_id)
    published = [a for a in await list_for_company(db, tenant_id, company.id) if a.status == "published"]
    return {
        "assessment": assessment,
        "company": company,
        "tree": tree,
        "respondent": respondent,
        "progress": progress_by_dimension(tree, mine),
        "total": total_progress(tree, mine),
        "published": published,
        "base": contact_landing(assessment.id),
        "errors": FormErrors(),
        "needs_confirm": False,
        **label_functions(),
    }


@get("/c/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=CONTACT, name="contact_questionnaire")
async def contact_questionnaire(
    db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], dimension_key: FromPath[str]
) -> Template:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id, read_only=True)
    ctx = await questionnaire_context(
        db,
        tenant_id,
        assessment,
        dimension_key,
        respondent_id=respondent_id,
        base=contact_landing(assessment.id),
        editable=True,
        show_others=False,
    )
    return Template("contact/questionnaire.html", context=ctx)


@post("/c/assessments/{assessment_id:uuid}/q/{dimension_key:str}", opt=CONTACT)
async def contact_save_page(
    db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], dimension_key: FromPath[str], data: Form
) -> Response[Any]:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    return await common.save_page(
        db,
        tenant_id,
        assessment,
        dimension_key,
        data,
        _contact_actor(auth),
        respondent_id,
        contact_landing(assessment.id),
        "contact/questionnaire.html",
        show_others=False,
    )


@post("/c/assessments/{assessment_id:uuid}/answers", opt=CONTACT, status_code=200)
async def contact_save_answer(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Form) -> Response[str]:
    scope = _contact_scope(auth)
    if str(assessment_id) != str(scope["assessment_id"]):
        raise NotFoundException()
    tenant_id, respondent_id, actor = (
        UUID(str(scope["tenant_id"])),
        UUID(str(scope["respondent_id"])),
        _contact_actor(auth),
    )

    async def save(question_id: UUID, value: AnswerInput) -> SavedAnswer:
        # The respondent id from the session ties the answer to this contact and assessment.
        return await save_answer(db, tenant_id, assessment_id, question_id, value, actor, respondent_id=respondent_id)

    return await common.save_one(data, save)


@post("/c/assessments/{assessment_id:uuid}/evidence", opt=CONTACT, request_max_body_size=UPLOAD_BODY_LIMIT)
async def contact_add_evidence(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Multipart
) -> Response[Any]:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    respondent = await get_respondent(db, tenant_id, respondent_id)
    if respondent.submitted_at is not None or assessment.status not in OPEN_STATUSES:
        raise ServiceError(_("Ya enviaste tus respuestas; no se pueden cambiar."), status_code=409)
    actor = _contact_actor(auth)
    evidence_id = first(data.get("evidence_id"))
    if evidence_id:
        # A contact adds revisions to their own files only, never to the consultant's or
        # another respondent's evidence.
        evidence = await get_evidence(db, tenant_id, assessment.id, uuid_or_404(evidence_id))
        if evidence.added_by != actor.label:
            raise NotFoundException()
    return await common.evidence_response(
        db,
        request,
        tenant_id,
        assessment,
        data,
        actor,
        respondent_id,
        contact_landing(assessment.id),
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
    rev, path = await revision_file(db, request.app.state.settings, tenant_id, assessment.id, evidence_id, revision)
    return common.download(rev, path)


@post("/c/assessments/{assessment_id:uuid}/submit", opt=CONTACT)
async def contact_submit(db: DB, auth: CurrentAuth, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    tenant_id, assessment, respondent_id = await _contact_assessment(db, auth, assessment_id)
    confirm = first(data.get("confirm")) in ("1", "on", "true", "yes")
    try:
        await submit_respondent(db, tenant_id, assessment.id, respondent_id, _contact_actor(auth), confirm=confirm)
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
    return redirect(contact_landing(assessment.id), flash=_("¡Gracias! Enviaste tus respuestas."))


@get("/c/assessments/{assessment_id:uuid}/results", opt=CONTACT, name="contact_results")
async def contact_results(
    db: DB,
    auth: CurrentAuth,
    assessment_id: FromPath[UUID],
    slice_kind: Annotated[str | None, QueryParameter(name="slice", required=False)] = None,
) -> Template:
    """Published results of the contact's company (this assessment or an earlier published one)."""
    scope = _contact_scope(auth)
    tenant_id = UUID(str(scope["tenant_id"]))
    assessment = await get_assessment(db, tenant_id, assessment_id)
    if str(assessment.company_id) != str(scope["company_id"]) or assessment.status != "published":
        raise NotFoundException()
    company = await get_company(db, tenant_id, assessment.company_id)
    results = await compute_results(db, tenant_id, assessment.id)
    return Template(
        "contact/results.html",
        context={
            "assessment": assessment,
            "company": company,
            "results": results,
            "charts": results_charts(results, []),
            "home": contact_landing(UUID(str(scope["assessment_id"]))),
            # The peer comparison, only when the firm shows it to its clients.
            "benchmark": await section(await driver(db), tenant_id, assessment.id, slice_kind, client=True),
            "benchmark_action": f"/c/assessments/{assessment.id}/results",
            # The firm's finished PDF reports of this assessment, newest per language.
            "reports": await ready_pdfs(db, tenant_id, assessment.id),
            **label_functions(),
        },
    )


@get("/c/link", opt=PUBLIC, name="contact_ask_link")
async def ask_link_form() -> Template:
    """Where a client contact without a session (a reload days later, another device, an old
    link) asks for a fresh sign-in link."""
    return Template("contact/ask_link.html", context={"values": {}, "errors": FormErrors(), "sent": False})


@post("/c/link", opt=PUBLIC)
async def ask_link(request: Request[Any, Any, Any], db: DB, data: Form) -> Template:
    errors = FormErrors()
    email = normalize_email(str(data.get("email", "")), errors, lookup=True)
    if errors:
        raise FormError("contact/ask_link.html", {"values": {"email": email}, "sent": False}, errors)
    ip = request.client.host if request.client else "?"
    try:
        await request_fresh_links(db, request.app.state.settings, email, ip)
    except TooManyRequests as exc:
        raise HTTPException(status_code=429) from exc
    # The same answer whether or not the address is an invited contact.
    return Template("contact/ask_link.html", context={"values": {"email": email}, "errors": FormErrors(), "sent": True})


ROUTES = [
    ask_link_form,
    ask_link,
    contact_home,
    contact_questionnaire,
    contact_save_page,
    contact_save_answer,
    contact_add_evidence,
    contact_download,
    contact_submit,
    contact_results,
]
