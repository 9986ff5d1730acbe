"""Maturity frameworks of a firm: the platform default and the firm's own copies."""

from __future__ import annotations

from uuid import UUID

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ordena.accounts.services import actor_of
from ordena.frameworks import editing
from ordena.frameworks.services import structure
from ordena.lib.errors import FormErrors, ServiceError
from ordena.lib.i18n import _
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError, form_values
from ordena.web.pages import redirect


def _base(firm: Firm) -> str:
    return f"/w/{firm.tenant.slug}/frameworks"


@get("/w/{slug:str}/frameworks", opt={"access": "viewer"}, name="frameworks")
async def frameworks_page(db: DB, firm: Firm) -> Template:
    return Template("frameworks/list.html", context={"items": await editing.list_frameworks(db, firm.tenant_id)})


@get("/w/{slug:str}/frameworks/versions/{version_id:uuid}", opt={"access": "viewer"})
async def version_page(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Template:
    framework, version = await editing.visible_version(db, firm.tenant_id, version_id)
    tree = await structure(db, version.id)
    return Template(
        "frameworks/version.html",
        context={
            "framework": framework,
            "version": version,
            "tree": tree,
            "editable": version.status == "draft" and version.owner_tenant_id == firm.tenant_id and firm.can_partner,
            "own": version.owner_tenant_id == firm.tenant_id,
        },
    )


@post("/w/{slug:str}/frameworks/versions/{version_id:uuid}/clone", opt={"access": "partner"})
async def clone_version(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Redirect:
    copy = await editing.clone(db, firm.tenant_id, actor_of(firm.user), version_id)
    return redirect(f"{_base(firm)}/versions/{copy.id}", flash=_("Copia creada como borrador. Ya puedes editarla."))


@post("/w/{slug:str}/frameworks/versions/{version_id:uuid}/publish", opt={"access": "partner"})
async def publish_version(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Redirect:
    version = await editing.publish(db, firm.tenant_id, actor_of(firm.user), version_id)
    return redirect(
        f"{_base(firm)}/versions/{version.id}", flash=_("Versión publicada. Desde ahora no se puede modificar.")
    )


@post("/w/{slug:str}/frameworks/versions/{version_id:uuid}/new-version", opt={"access": "partner"})
async def start_new_version(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Redirect:
    draft = await editing.new_version(db, firm.tenant_id, actor_of(firm.user), version_id)
    return redirect(f"{_base(firm)}/versions/{draft.id}", flash=_("Nueva versión creada como borrador."))


@post("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/weight", opt={"access": "partner"})
async def save_dimension_weight(db: DB, firm: Firm, dimension_id: FromPath[UUID], data: Form) -> Redirect:
    try:
        dim = await editing.update_dimension_weight(
            db, firm.tenant_id, actor_of(firm.user), dimension_id, str(data.get("weight", ""))
        )
    except ServiceError as exc:
        if exc.status_code != 422:
            raise
        d, version = await editing.own_dimension(db, firm.tenant_id, dimension_id)
        return redirect(f"{_base(firm)}/versions/{version.id}#dim-{d.key}", flash=exc.message, kind="error")
    return redirect(f"{_base(firm)}/versions/{dim.version_id}#dim-{dim.key}", flash=_("Peso actualizado."))


async def _question_form(
    db: DB, firm: Firm, *, question_id: UUID | None = None, dimension_id: UUID | None = None
) -> dict[str, object]:
    if question_id is not None:
        q, version = await editing.own_question(db, firm.tenant_id, question_id)
        d, _v = await editing.own_dimension(db, firm.tenant_id, q.dimension_id)
        action = f"{_base(firm)}/questions/{q.id}"
        values = editing.question_values(q)
    else:
        assert dimension_id is not None
        q = None
        d, version = await editing.own_dimension(db, firm.tenant_id, dimension_id)
        action = f"{_base(firm)}/dimensions/{d.id}/questions"
        values = editing.question_values(None)
    if version.status != "draft":
        raise ServiceError(
            _("Esta versión ya está publicada y no se puede modificar. Crea una nueva versión para hacer cambios."),
            status_code=409,
        )
    return {
        "question": q,
        "dimension": d,
        "version": version,
        "action": action,
        "values": values,
        "errors": FormErrors(),
        "levels": editing.LEVELS,
        "langs": editing.LANGS,
    }


@get("/w/{slug:str}/frameworks/questions/{question_id:uuid}/edit", opt={"access": "partner"})
async def edit_question_page(db: DB, firm: Firm, question_id: FromPath[UUID]) -> Template:
    return Template("frameworks/question.html", context=await _question_form(db, firm, question_id=question_id))


@post("/w/{slug:str}/frameworks/questions/{question_id:uuid}", opt={"access": "partner"})
async def save_question(db: DB, firm: Firm, question_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        q = await editing.update_question(db, firm.tenant_id, actor_of(firm.user), question_id, values)
    except editing.QuestionInvalid as exc:
        context = await _question_form(db, firm, question_id=question_id)
        raise FormError("frameworks/question.html", {**context, "values": values}, exc.errors) from exc
    return redirect(f"{_base(firm)}/versions/{q.version_id}#q-{q.id}", flash=_("Pregunta guardada."))


@get("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/questions/new", opt={"access": "partner"})
async def new_question_page(db: DB, firm: Firm, dimension_id: FromPath[UUID]) -> Template:
    return Template("frameworks/question.html", context=await _question_form(db, firm, dimension_id=dimension_id))


@post("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/questions", opt={"access": "partner"})
async def create_question(db: DB, firm: Firm, dimension_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        q = await editing.add_question(db, firm.tenant_id, actor_of(firm.user), dimension_id, values)
    except editing.QuestionInvalid as exc:
        context = await _question_form(db, firm, dimension_id=dimension_id)
        raise FormError("frameworks/question.html", {**context, "values": values}, exc.errors) from exc
    return redirect(f"{_base(firm)}/versions/{q.version_id}#q-{q.id}", flash=_("Pregunta agregada."))


@post("/w/{slug:str}/frameworks/questions/{question_id:uuid}/delete", opt={"access": "partner"})
async def delete_question(db: DB, firm: Firm, question_id: FromPath[UUID]) -> Redirect:
    q = await editing.remove_question(db, firm.tenant_id, actor_of(firm.user), question_id)
    return redirect(f"{_base(firm)}/versions/{q.version_id}", flash=_("Pregunta eliminada."))


ROUTES = [
    frameworks_page,
    version_page,
    clone_version,
    publish_version,
    start_new_version,
    save_dimension_weight,
    edit_question_page,
    save_question,
    new_question_page,
    create_question,
    delete_question,
]
