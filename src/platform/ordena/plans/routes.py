"""The firm's plan pages: the list of plans, a plan as a filterable list, generating a plan from
an assessment, the initiative form with its comments, reordering, removal, the CSV export."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from ordena.accounts.services import actor_of
from ordena.assessments.lookups import get_assessment
from ordena.assessments.results import compute_results
from ordena.companies.services import get_company
from ordena.frameworks.services import FrameworkStructure, QuestionNode
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _, ngettext
from ordena.plans.assignment import Mailer
from ordena.plans.editing import (
    InitiativeInvalid,
    add_comment,
    add_initiative,
    move_initiative,
    plan_tree,
    remove_initiative,
    update_initiative,
)
from ordena.plans.export import plan_csv
from ordena.plans.generation import generate_plan, missing_initiatives, propose
from ordena.plans.labels import plan_labels
from ordena.plans.lookups import (
    InitiativeFilters,
    comments_of,
    dependencies_of,
    get_initiative,
    get_plan,
    list_initiatives,
    list_plans,
    owner_choices,
    owner_value,
)
from ordena.plans.models import Initiative, Plan
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import page as render_page
from ordena.web.pages import redirect

VIEWER = {"access": "viewer"}
CONSULTANT = {"access": "consultant"}
LIST_FIELDS = ("question_keys", "depends_on")


def plan_url(firm: Firm, plan_id: UUID) -> str:
    return f"/w/{firm.tenant.slug}/plans/{plan_id}"


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    """What was typed: lists for the checkbox groups, text for the rest."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "_csrf":
            continue
        if key in LIST_FIELDS:
            out[key] = value if isinstance(value, list) else [value]
        else:
            out[key] = (value[-1] if value else "") if isinstance(value, list) else value
    for key in LIST_FIELDS:
        out.setdefault(key, [])
    return out


@get("/w/{slug:str}/plans", opt=VIEWER, name="plans")
async def plans_page(request: Request[Any, Any, Any], db: DB, firm: Firm, page: FromQuery[int] = 1) -> Template:
    result = await list_plans(db, firm.tenant_id, page=page)
    return render_page(request, "plans/list.html", block="results", result=result)


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/plan", opt=CONSULTANT)
async def generate(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Redirect:
    """Generate the assessment's plan, or add to it what the assessment calls for and it lacks."""
    result = await generate_plan(db, firm.tenant_id, actor_of(firm.user), assessment_id)
    n = len(result.added)
    if result.created:
        message = ngettext("Plan generado con {n} iniciativa.", "Plan generado con {n} iniciativas.", n).format(n=n)
    elif n:
        message = ngettext("Se agregó {n} iniciativa que faltaba.", "Se agregaron {n} iniciativas que faltaban.", n)
        message = message.format(n=n)
    else:
        message = _("El plan ya tenía todas las iniciativas sugeridas.")
    return redirect(plan_url(firm, result.plan.id), flash=message)


async def _plan_context(db: DB, firm: Firm, plan: Plan) -> dict[str, Any]:
    assessment = await get_assessment(db, firm.tenant_id, plan.assessment_id)
    results = await compute_results(db, firm.tenant_id, assessment.id)
    proposal = propose(results)
    owners = await owner_choices(db, firm.tenant_id, plan.company_id)
    tree = results.tree

    def dimension_name(key: str) -> str:
        try:
            return tree.label(tree.dimension(key).name)
        except KeyError:
            return key

    def questions_of(key: str) -> tuple[QuestionNode, ...]:
        try:
            return tree.dimension(key).questions
        except KeyError:
            return ()

    return {
        "plan": plan,
        "assessment": assessment,
        "company": await get_company(db, firm.tenant_id, plan.company_id),
        "tree": tree,
        "dimension_name": dimension_name,
        "questions_of": questions_of,
        "dimension_options": [(d.key, tree.label(d.name)) for d in tree.dimensions],
        "proposal": proposal,
        "missing": await missing_initiatives(db, firm.tenant_id, plan, proposal),
        "owners": owners,
        "owner_names": {o.value: o.label for o in owners},
        "base": plan_url(firm, plan.id),
        # Blocks rendered alone for htmx do not see base.html's ``firm``.
        "can_edit": firm.can_consult,
        **plan_labels(),
    }


async def _csv(db: DB, firm: Firm, plan_id: UUID, filters: InitiativeFilters) -> Response[bytes]:
    """The list as shown: the page's filters apply to the file too."""
    plan = await get_plan(db, firm.tenant_id, plan_id)
    everything = await list_initiatives(db, firm.tenant_id, plan.id)
    initiatives = await list_initiatives(db, firm.tenant_id, plan.id, filters) if filters.active else everything
    titles = {str(i.id): i.title for i in everything}
    edges = await dependencies_of(db, firm.tenant_id, plan.id)
    owners = {o.value: o.label for o in await owner_choices(db, firm.tenant_id, plan.company_id)}
    body = plan_csv(
        initiatives,
        await plan_tree(db, firm.tenant_id, plan),
        owners,
        {str(k): [titles.get(str(d), "") for d in v] for k, v in edges.items()},
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plan-{plan.id}.csv"'},
    )


@get("/w/{slug:str}/plans/{plan_ref:str}", opt=VIEWER, name="plan")
async def plan_page(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    plan_ref: FromPath[str],
    status: FromQuery[str | None] = None,
    dimension: FromQuery[str | None] = None,
    owner: FromQuery[str | None] = None,
) -> Response[Any]:
    """The plan as a list (``<id>``) or as CSV (``<id>.csv``): one path segment, two forms."""
    raw, is_csv = (plan_ref[:-4], True) if plan_ref.endswith(".csv") else (plan_ref, False)
    try:
        plan_id = UUID(raw)
    except ValueError as exc:
        raise NotFound() from exc
    filters = InitiativeFilters.parse(status, dimension, owner)
    if is_csv:
        return await _csv(db, firm, plan_id, filters)
    plan = await get_plan(db, firm.tenant_id, plan_id)
    ctx = await _plan_context(db, firm, plan)
    everything = await list_initiatives(db, firm.tenant_id, plan.id)
    shown = await list_initiatives(db, firm.tenant_id, plan.id, filters) if filters.active else everything
    done = sum(1 for i in everything if i.status == "done")
    return render_page(
        request,
        "plans/plan.html",
        block="results",
        initiatives=shown,
        total=len(everything),
        done=done,
        progress=round(sum(i.progress for i in everything) / len(everything)) if everything else 0,
        waits=await dependencies_of(db, firm.tenant_id, plan.id),
        titles={i.id: i.title for i in everything},
        filters={
            "status": filters.status or "",
            "dimension": filters.dimension_key or "",
            "owner": filters.owner or "",
        },
        owner_of=owner_value,
        **ctx,
    )


# --- one initiative ---------------------------------------------------------------------------


def _values_of(initiative: Initiative, depends_on: list[UUID]) -> dict[str, Any]:
    return {
        "title": initiative.title,
        "description": initiative.description,
        "dimension_key": initiative.dimension_key,
        "question_keys": list(initiative.question_keys or []),
        "owner": owner_value(initiative),
        "start_on": initiative.start_on.isoformat() if initiative.start_on else "",
        "due_on": initiative.due_on.isoformat() if initiative.due_on else "",
        "priority": str(initiative.priority),
        "status": initiative.status,
        "blocked_reason": initiative.blocked_reason,
        "progress": str(initiative.progress),
        "kpi_name": initiative.kpi_name,
        "kpi_baseline": ""
        if initiative.kpi_baseline is None
        else f"{initiative.kpi_baseline:f}".rstrip("0").rstrip("."),
        "kpi_goal": "" if initiative.kpi_goal is None else f"{initiative.kpi_goal:f}".rstrip("0").rstrip("."),
        "depends_on": [str(d) for d in depends_on],
    }


async def _initiative_context(db: DB, firm: Firm, plan: Plan, initiative: Initiative | None) -> dict[str, Any]:
    ctx = await _plan_context(db, firm, plan)
    others = [
        i for i in await list_initiatives(db, firm.tenant_id, plan.id) if initiative is None or i.id != initiative.id
    ]
    return {
        **ctx,
        "initiative": initiative,
        "others": others,
        "comments": await comments_of(db, firm.tenant_id, initiative.id) if initiative else [],
        "errors": FormErrors(),
    }


@get("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/new", opt=CONSULTANT)
async def new_initiative(db: DB, firm: Firm, plan_id: FromPath[UUID], dimension: FromQuery[str] = "") -> Template:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    ctx = await _initiative_context(db, firm, plan, None)
    key = dimension if any(d.key == dimension for d in ctx["tree"].dimensions) else ctx["tree"].dimensions[0].key
    values: dict[str, Any] = {"dimension_key": key, "priority": "2", "status": "pending", "progress": "0"}
    return Template("plans/initiative.html", context={**ctx, "values": values})


def _keep_questions_of_dimension(values: dict[str, Any], tree: FrameworkStructure) -> None:
    """The form lists only the chosen dimension's questions; after a change of dimension the
    ticks of the former one were not on screen, so they are dropped rather than refused."""
    try:
        allowed = {q.key for q in tree.dimension(str(values.get("dimension_key", ""))).questions}
    except KeyError:
        return
    values["question_keys"] = [k for k in values.get("question_keys", []) if k in allowed]


def _mailer(request: Request[Any, Any, Any], firm: Any) -> Mailer:
    """A new owner is told by email (plans/assignment.py)."""
    return Mailer(request.app.state.settings, firm.tenant)


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives", opt=CONSULTANT)
async def create_initiative(
    request: Request[Any, Any, Any], db: DB, firm: Firm, plan_id: FromPath[UUID], data: Form
) -> Redirect:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    values = _form_values(data)
    _keep_questions_of_dimension(values, await plan_tree(db, firm.tenant_id, plan))
    try:
        initiative = await add_initiative(
            db, firm.tenant_id, actor_of(firm.user), plan.id, values, mailer=_mailer(request, firm)
        )
    except InitiativeInvalid as exc:
        ctx = await _initiative_context(db, firm, plan, None)
        raise FormError("plans/initiative.html", {**ctx, "values": values}, exc.errors) from exc
    return redirect(f"{plan_url(firm, plan.id)}#i-{initiative.id}", flash=_("Iniciativa agregada."))


@get("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}", opt=VIEWER)
async def initiative_page(db: DB, firm: Firm, plan_id: FromPath[UUID], initiative_id: FromPath[UUID]) -> Template:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    ctx = await _initiative_context(db, firm, plan, initiative)
    edges = await dependencies_of(db, firm.tenant_id, plan.id)
    return Template(
        "plans/initiative.html", context={**ctx, "values": _values_of(initiative, edges.get(initiative.id, []))}
    )


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}", opt=CONSULTANT)
async def save_initiative(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    plan_id: FromPath[UUID],
    initiative_id: FromPath[UUID],
    data: Form,
) -> Redirect:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    values = _form_values(data)
    _keep_questions_of_dimension(values, await plan_tree(db, firm.tenant_id, plan))
    try:
        await update_initiative(
            db, firm.tenant_id, actor_of(firm.user), initiative.id, values, mailer=_mailer(request, firm)
        )
    except InitiativeInvalid as exc:
        ctx = await _initiative_context(db, firm, plan, initiative)
        raise FormError("plans/initiative.html", {**ctx, "values": values}, exc.errors) from exc
    return redirect(f"{plan_url(firm, plan.id)}#i-{initiative.id}", flash=_("Iniciativa guardada."))


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}/comments", opt=CONSULTANT)
async def comment(db: DB, firm: Firm, plan_id: FromPath[UUID], initiative_id: FromPath[UUID], data: Form) -> Redirect:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    body = _form_values(data).get("body", "")
    try:
        await add_comment(db, firm.tenant_id, actor_of(firm.user), initiative.id, str(body))
    except InitiativeInvalid as exc:
        ctx = await _initiative_context(db, firm, plan, initiative)
        edges = await dependencies_of(db, firm.tenant_id, plan.id)
        values = {**_values_of(initiative, edges.get(initiative.id, [])), "body": body}
        raise FormError("plans/initiative.html", {**ctx, "values": values}, exc.errors) from exc
    base = f"{plan_url(firm, plan.id)}/initiatives/{initiative.id}"
    return redirect(f"{base}#comments", flash=_("Comentario agregado."))


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}/move", opt=CONSULTANT)
async def move(db: DB, firm: Firm, plan_id: FromPath[UUID], initiative_id: FromPath[UUID], data: Form) -> Redirect:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    direction = str(_form_values(data).get("direction", ""))
    await move_initiative(db, firm.tenant_id, actor_of(firm.user), initiative.id, direction)
    return redirect(f"{plan_url(firm, plan.id)}#i-{initiative.id}")


@get("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}/delete", opt=CONSULTANT)
async def confirm_removal(db: DB, firm: Firm, plan_id: FromPath[UUID], initiative_id: FromPath[UUID]) -> Template:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    return Template(
        "plans/delete.html", context={"plan": plan, "initiative": initiative, "base": plan_url(firm, plan.id)}
    )


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}/delete", opt=CONSULTANT)
async def remove(db: DB, firm: Firm, plan_id: FromPath[UUID], initiative_id: FromPath[UUID]) -> Redirect:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    await remove_initiative(db, firm.tenant_id, actor_of(firm.user), initiative.id)
    return redirect(plan_url(firm, plan.id), flash=_("Iniciativa eliminada."))


ROUTES = [
    plans_page,
    generate,
    plan_page,
    new_initiative,
    create_initiative,
    initiative_page,
    save_initiative,
    comment,
    move,
    confirm_removal,
    remove,
]
