"""Maturity frameworks of a firm: the platform default and the firm's own copies."""

from __future__ import annotations

from uuid import UUID

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ordena.accounts.services import actor_of
from ordena.frameworks import choice, editing, outline
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
    default = await choice.default_choice(db, firm.tenant_id)
    return Template(
        "frameworks/list.html",
        context={"items": await editing.list_frameworks(db, firm.tenant_id), "default_version_id": default.id},
    )


@post("/w/{slug:str}/frameworks/versions/{version_id:uuid}/default", opt={"access": "partner"})
async def make_default(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Redirect:
    await choice.set_default(db, firm.tenant_id, actor_of(firm.user), version_id)
    return redirect(_base(firm), flash=_("Las nuevas evaluaciones usarán este modelo por defecto."))


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
            "is_default": version.id == (await choice.default_choice(db, firm.tenant_id)).id,
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


# --- the outline: the framework's name, pillars and dimensions -------------------------------------

OUTLINE_TEMPLATE = "frameworks/outline_form.html"


def _outline_context(
    firm: Firm, *, title: str, action: str, back: str, values: dict[str, str], description: bool = True
) -> dict[str, object]:
    return {
        "title": title,
        "action": action,
        "back": back,
        "values": values,
        "errors": FormErrors(),
        "langs": editing.LANGS,
        "with_description": description,
    }


@get("/w/{slug:str}/frameworks/{framework_id:uuid}/edit", opt={"access": "partner"})
async def edit_framework_page(db: DB, firm: Firm, framework_id: FromPath[UUID]) -> Template:
    framework = await outline.own_framework(db, firm.tenant_id, framework_id)
    return Template(OUTLINE_TEMPLATE, context=_framework_form(firm, framework.id, outline.text_values(framework)))


def _framework_form(firm: Firm, framework_id: UUID, values: dict[str, str]) -> dict[str, object]:
    return _outline_context(
        firm,
        title=_("Nombre y descripción del modelo"),
        action=f"{_base(firm)}/{framework_id}",
        back=_base(firm),
        values=values,
    )


@post("/w/{slug:str}/frameworks/{framework_id:uuid}", opt={"access": "partner"})
async def save_framework(db: DB, firm: Firm, framework_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        await outline.describe_framework(db, firm.tenant_id, actor_of(firm.user), framework_id, values)
    except outline.OutlineInvalid as exc:
        await outline.own_framework(db, firm.tenant_id, framework_id)
        raise FormError(OUTLINE_TEMPLATE, _framework_form(firm, framework_id, values), exc.errors) from exc
    return redirect(_base(firm), flash=_("Modelo actualizado."))


async def _draft_of(db: DB, firm: Firm, version_id: UUID) -> None:
    _fw, version = await editing.own_version(db, firm.tenant_id, version_id)
    editing.require_draft(version)


@get("/w/{slug:str}/frameworks/versions/{version_id:uuid}/pillars/new", opt={"access": "partner"})
async def new_pillar_page(db: DB, firm: Firm, version_id: FromPath[UUID]) -> Template:
    await _draft_of(db, firm, version_id)
    return Template(OUTLINE_TEMPLATE, context=_pillar_form(firm, version_id, None, outline.text_values(None)))


def _pillar_form(firm: Firm, version_id: UUID, pillar_id: UUID | None, values: dict[str, str]) -> dict[str, object]:
    return _outline_context(
        firm,
        title=_("Editar pilar") if pillar_id else _("Nuevo pilar"),
        action=f"{_base(firm)}/pillars/{pillar_id}" if pillar_id else f"{_base(firm)}/versions/{version_id}/pillars",
        back=f"{_base(firm)}/versions/{version_id}",
        values=values,
    )


@post("/w/{slug:str}/frameworks/versions/{version_id:uuid}/pillars", opt={"access": "partner"})
async def create_pillar(db: DB, firm: Firm, version_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        pillar = await outline.add_pillar(db, firm.tenant_id, actor_of(firm.user), version_id, values)
    except outline.OutlineInvalid as exc:
        raise FormError(OUTLINE_TEMPLATE, _pillar_form(firm, version_id, None, values), exc.errors) from exc
    return redirect(f"{_base(firm)}/versions/{version_id}#pillar-{pillar.key}", flash=_("Pilar agregado."))


@get("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}/edit", opt={"access": "partner"})
async def edit_pillar_page(db: DB, firm: Firm, pillar_id: FromPath[UUID]) -> Template:
    pillar, version = await outline.own_pillar(db, firm.tenant_id, pillar_id)
    editing.require_draft(version)
    return Template(OUTLINE_TEMPLATE, context=_pillar_form(firm, version.id, pillar.id, outline.text_values(pillar)))


@post("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}", opt={"access": "partner"})
async def save_pillar(db: DB, firm: Firm, pillar_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        pillar = await outline.describe_pillar(db, firm.tenant_id, actor_of(firm.user), pillar_id, values)
    except outline.OutlineInvalid as exc:
        p, version = await outline.own_pillar(db, firm.tenant_id, pillar_id)
        raise FormError(OUTLINE_TEMPLATE, _pillar_form(firm, version.id, p.id, values), exc.errors) from exc
    return redirect(f"{_base(firm)}/versions/{pillar.version_id}#pillar-{pillar.key}", flash=_("Pilar guardado."))


def _direction(data: Form) -> str:
    direction = str(form_values(data).get("direction", ""))
    if direction not in ("up", "down"):
        raise NotFoundException()
    return direction


@post("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}/move", opt={"access": "partner"})
async def move_pillar(db: DB, firm: Firm, pillar_id: FromPath[UUID], data: Form) -> Redirect:
    pillar = await outline.move_pillar(db, firm.tenant_id, actor_of(firm.user), pillar_id, _direction(data))
    return redirect(f"{_base(firm)}/versions/{pillar.version_id}#pillar-{pillar.key}")


@post("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}/delete", opt={"access": "partner"})
async def delete_pillar(db: DB, firm: Firm, pillar_id: FromPath[UUID]) -> Redirect:
    pillar = await outline.remove_pillar(db, firm.tenant_id, actor_of(firm.user), pillar_id)
    return redirect(f"{_base(firm)}/versions/{pillar.version_id}", flash=_("Pilar eliminado."))


def _dimension_form(
    firm: Firm, version_id: UUID, *, pillar_id: UUID | None, dimension_id: UUID | None, values: dict[str, str]
) -> dict[str, object]:
    return _outline_context(
        firm,
        title=_("Editar dimensión") if dimension_id else _("Nueva dimensión"),
        action=f"{_base(firm)}/dimensions/{dimension_id}"
        if dimension_id
        else f"{_base(firm)}/pillars/{pillar_id}/dimensions",
        back=f"{_base(firm)}/versions/{version_id}",
        values=values,
    )


@get("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}/dimensions/new", opt={"access": "partner"})
async def new_dimension_page(db: DB, firm: Firm, pillar_id: FromPath[UUID]) -> Template:
    pillar, version = await outline.own_pillar(db, firm.tenant_id, pillar_id)
    editing.require_draft(version)
    context = _dimension_form(
        firm, version.id, pillar_id=pillar.id, dimension_id=None, values=outline.text_values(None)
    )
    return Template(OUTLINE_TEMPLATE, context=context)


@post("/w/{slug:str}/frameworks/pillars/{pillar_id:uuid}/dimensions", opt={"access": "partner"})
async def create_dimension(db: DB, firm: Firm, pillar_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        dim = await outline.add_dimension(db, firm.tenant_id, actor_of(firm.user), pillar_id, values)
    except outline.OutlineInvalid as exc:
        _p, version = await outline.own_pillar(db, firm.tenant_id, pillar_id)
        context = _dimension_form(firm, version.id, pillar_id=pillar_id, dimension_id=None, values=values)
        raise FormError(OUTLINE_TEMPLATE, context, exc.errors) from exc
    return redirect(
        f"{_base(firm)}/versions/{dim.version_id}#dim-{dim.key}",
        flash=_("Dimensión agregada. Agrégale al menos una pregunta antes de publicar."),
    )


@get("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/edit", opt={"access": "partner"})
async def edit_dimension_page(db: DB, firm: Firm, dimension_id: FromPath[UUID]) -> Template:
    dim, version = await editing.own_dimension(db, firm.tenant_id, dimension_id)
    editing.require_draft(version)
    context = _dimension_form(firm, version.id, pillar_id=None, dimension_id=dim.id, values=outline.text_values(dim))
    return Template(OUTLINE_TEMPLATE, context=context)


@post("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}", opt={"access": "partner"})
async def save_dimension(db: DB, firm: Firm, dimension_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        dim = await outline.describe_dimension(db, firm.tenant_id, actor_of(firm.user), dimension_id, values)
    except outline.OutlineInvalid as exc:
        _d, version = await editing.own_dimension(db, firm.tenant_id, dimension_id)
        context = _dimension_form(firm, version.id, pillar_id=None, dimension_id=dimension_id, values=values)
        raise FormError(OUTLINE_TEMPLATE, context, exc.errors) from exc
    return redirect(f"{_base(firm)}/versions/{dim.version_id}#dim-{dim.key}", flash=_("Dimensión guardada."))


@post("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/move", opt={"access": "partner"})
async def move_dimension(db: DB, firm: Firm, dimension_id: FromPath[UUID], data: Form) -> Redirect:
    dim = await outline.move_dimension(db, firm.tenant_id, actor_of(firm.user), dimension_id, _direction(data))
    return redirect(f"{_base(firm)}/versions/{dim.version_id}#dim-{dim.key}")


@post("/w/{slug:str}/frameworks/dimensions/{dimension_id:uuid}/delete", opt={"access": "partner"})
async def delete_dimension(db: DB, firm: Firm, dimension_id: FromPath[UUID]) -> Redirect:
    dim = await outline.remove_dimension(db, firm.tenant_id, actor_of(firm.user), dimension_id)
    return redirect(f"{_base(firm)}/versions/{dim.version_id}", flash=_("Dimensión eliminada."))


ROUTES = [
    frameworks_page,
    make_default,
    edit_framework_page,
    save_framework,
    new_pillar_page,
    create_pillar,
    edit_pillar_page,
    save_pillar,
    move_pillar,
    delete_pillar,
    new_dimension_page,
    create_dimension,
    edit_dimension_page,
    save_dimension,
    move_dimension,
    delete_dimension,
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
