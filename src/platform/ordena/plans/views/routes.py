"""The plan's board by status and timeline, and a re-assessment's progress page (the closed loop).

The board works in three ways on the same form: without JavaScript (each card's small status
form posts and the page comes back), with htmx (the form swaps the board in place), and by drag
and drop or arrow keys (``static/js/plans.js`` fills in the same form and submits it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from ordena.accounts.services import actor_of
from ordena.companies.queries import company_name
from ordena.companies.services import get_company
from ordena.db.driver import driver
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _
from ordena.networks.lookup import percentile_moves
from ordena.plans import board as plans_board
from ordena.plans import lookups
from ordena.plans.board import initiatives_of, is_overdue, status_labels, today
from ordena.plans.editing import InitiativeInvalid
from ordena.plans.models import STATUSES, Initiative
from ordena.plans.progress import plan_progress, progress_document
from ordena.plans.timeline import progress_track, timeline_svg, undated
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import page, redirect

VIEWER = {"access": "viewer"}
CONSULTANT = {"access": "consultant"}


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


async def _board_context(db: DB, firm: Firm, plan_id: UUID) -> dict[str, Any]:
    board = await plans_board.board_view(db, firm.tenant_id, plan_id)
    return {
        "head": board.head,
        "base_path": f"/w/{firm.tenant.slug}",
        "columns": board.columns(),
        "statuses": STATUSES,
        "labels": status_labels(),
        "can_edit": firm.can_consult,
        "errors": FormErrors(),
        "errored_id": None,
        "values": {},
        "total": len(board.cards),
        "announce": "",
    }


@get("/w/{slug:str}/plans/{plan_id:uuid}/board", opt=VIEWER, name="plan_board")
async def board_page(db: DB, firm: Firm, plan_id: FromPath[UUID]) -> Template:
    return Template("plans/board.html", context=await _board_context(db, firm, plan_id))


@post("/w/{slug:str}/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}/status", opt=CONSULTANT)
async def move_initiative(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    plan_id: FromPath[UUID],
    initiative_id: FromPath[UUID],
    data: Form,
) -> Response[Any]:
    plan = await lookups.get_plan(db, firm.tenant_id, plan_id)
    initiative = await lookups.get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id, for_update=True)
    status, reason = _first(data.get("status")), _first(data.get("blocked_reason"))
    try:
        await plans_board.set_initiative_status(db, firm.tenant_id, actor_of(firm.user), initiative, status, reason)
    except InitiativeInvalid as exc:
        ctx = await _board_context(db, firm, plan.id)
        ctx.update(errored_id=str(initiative_id), values={"status": status, "blocked_reason": reason})
        raise FormError("plans/board.html", ctx, exc.errors) from exc
    if request.headers.get("hx-request"):
        ctx = await _board_context(db, firm, plan.id)
        ctx["announce"] = _("«{title}» pasó a {status}.").format(title=initiative.title, status=status_labels()[status])
        return page(request, "plans/board.html", block="board", **ctx)
    return redirect(
        f"/w/{firm.tenant.slug}/plans/{plan.id}/board",
        flash=_("«{title}» pasó a {status}.").format(title=initiative.title, status=status_labels()[status]),
    )


@get("/w/{slug:str}/plans/{plan_id:uuid}/timeline", opt=VIEWER, name="plan_timeline")
async def timeline_page(db: DB, firm: Firm, plan_id: FromPath[UUID]) -> Template:
    plan = await lookups.get_plan(db, firm.tenant_id, plan_id)
    initiatives: list[Initiative] = await initiatives_of(db, firm.tenant_id, plan.id)
    company = await get_company(db, firm.tenant_id, plan.company_id)
    on = today()
    deps = await plans_board.dependencies_of(db, firm.tenant_id, plan.id)
    by_id = {i.id: i for i in initiatives}
    return Template(
        "plans/timeline.html",
        context={
            "plan": plan,
            "company": company,
            "chart": timeline_svg(initiatives, deps, on=on, title=_("Cronograma de {plan}").format(plan=plan.title)),
            "undated": undated(initiatives),
            "overdue": [i for i in initiatives if is_overdue(i, on)],
            "blocked": [i for i in initiatives if i.status == "blocked"],
            "dependencies": [(by_id[a], by_id[b]) for a, b in deps if a in by_id and b in by_id],
            "labels": status_labels(),
            "today": on,
        },
    )


@get("/w/{slug:str}/assessments/{assessment_id:uuid}/progress", opt=VIEWER, name="assessment_progress")
async def progress_page(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Template:
    progress = await plan_progress(db, firm.tenant_id, assessment_id)
    company = await company_name(await driver(db), firm.tenant_id, progress.assessment.company_id)
    if company is None:
        raise NotFound()
    tracks = {d.key: progress_track(d) for d in progress.dimensions}
    peers = await percentile_moves(
        await driver(db), firm.tenant_id, assessment_id, {d.key: d.baseline for d in progress.dimensions}
    )
    return Template(
        "plans/progress.html", context={"p": progress, "company": company, "tracks": tracks, "peers": peers}
    )


@get(
    "/api/v1/w/{slug:str}/assessments/{assessment_id:uuid}/progress",
    opt=VIEWER,
    operation_id="getAssessmentProgress",
    tags=["plans"],
    summary="The closed loop: a re-assessment against its baseline and the baseline's plan",
)
async def api_progress(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> dict[str, Any]:
    return progress_document(await plan_progress(db, firm.tenant_id, assessment_id))


ROUTES = [board_page, move_initiative, timeline_page, progress_page, api_progress]
