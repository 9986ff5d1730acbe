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
from markupsafe import Markup

from ordena.accounts.services import actor_of
from ordena.assessments import queries as assessments_queries
from ordena.assessments.results import compute_results, history_of
from ordena.companies.queries import CompanyName
from ordena.companies.services import get_company
from ordena.db.request_db import RequestDB
from ordena.frameworks.services import published_tree, structure
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _, get_locale
from ordena.lib.kept import Kept, digest
from ordena.networks import lookup
from ordena.plans import board as plans_board
from ordena.plans import lookups
from ordena.plans import queries as plans_queries
from ordena.plans.board import initiatives_of, is_overdue, status_labels, today
from ordena.plans.editing import InitiativeInvalid
from ordena.plans.models import STATUSES, Initiative
from ordena.plans.progress import assemble, plan_progress, progress_document, stored_scores
from ordena.plans.timeline import progress_track, timeline_svg, undated
from ordena.web.access import firm_of
from ordena.web.db import request_db
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


# The progress pages' bodies shown lately, keyed by every input read for them (see progress_page).
PAGES_KEPT = 64
_PAGES: Kept[Markup] = Kept(PAGES_KEPT)


@get("/w/{slug:str}/assessments/{assessment_id:uuid}/progress", opt=VIEWER, name="assessment_progress")
async def progress_page(request: Request[Any, Any, Any], assessment_id: FromPath[UUID]) -> Template:
    """The closed loop, read as plain rows on the request's driver (benchmarked: ``progress``):
    the two runs with the company, the baseline plan's initiatives, the company's stored runs and
    the peer lookup. The body is a pure function of those rows, the firm's path and the language,
    and is built once per set of them (published scores never change; a moved initiative, a new
    release or a re-publication is another key)."""
    firm = firm_of(request)
    rdb = request_db(request)
    con = await rdb.begin()
    head = await plans_queries.progress_head(con, tenant_id=firm.tenant_id, assessment_id=assessment_id)
    if head is None or head.company_name is None:
        raise NotFound()
    if head.assessment.status != "published":
        raise ServiceError(_("El avance se muestra cuando la evaluación está publicada."), status_code=409)
    if head.baseline_id is None:
        raise ServiceError(
            _("Esta evaluación no tiene una evaluación de base con la cual compararla."), status_code=409
        )
    baseline = head.baseline
    if baseline is None:
        raise NotFound()
    plan_id, initiatives = await plans_queries.baseline_initiatives(
        con, tenant_id=firm.tenant_id, baseline_id=baseline.id
    )
    runs = [
        r
        for r in await assessments_queries.company_runs(
            con, tenant_id=firm.tenant_id, company_id=head.assessment.company_id
        )
        if r.id in (baseline.id, head.assessment.id)
    ]
    peers_row = await lookup.lookup_context(con, firm.tenant_id, assessment_id, "all")
    base = f"/w/{firm.tenant.slug}"
    key = (
        firm.tenant_id,
        base,
        get_locale(),
        head,
        plan_id,
        tuple(initiatives),
        tuple((r.id, r.title, r.published_at, r.overall, r.stored_at, digest(r.data)) for r in runs),
        None if peers_row is None else tuple(peers_row),
    )
    body = _PAGES.get(key)
    if body is None:
        body, keep = await _progress_body(request, rdb, head, baseline, plan_id, initiatives, runs, peers_row, base)
        if keep:
            _PAGES.put(key, body)
    await rdb.commit()
    return Template("plans/progress.html", context={"title": head.assessment.title, "body": body})


async def _progress_body(
    request: Request[Any, Any, Any],
    rdb: RequestDB,
    head: plans_queries.ProgressHead,
    baseline: plans_queries.ProgressRun,
    plan_id: UUID | None,
    initiatives: list[plans_queries.BaselineInitiative],
    runs: list[assessments_queries.StoredRun],
    peers_row: Any,
    base: str,
) -> tuple[Markup, bool]:
    """The progress page's body, and whether it may be kept: only when built from published
    snapshots and a published framework version (a run scored from its answers may change)."""
    firm = firm_of(request)
    tree = published_tree(head.framework_version_id, head.version_status, head.version_published_at)
    points = history_of(runs)
    before = stored_scores(points, baseline.id) if baseline.status == "published" else None
    after = stored_scores(points, head.assessment.id)
    keep = tree is not None and before is not None and after is not None
    if tree is None or before is None or after is None:
        await rdb.commit()
        db = await rdb.session()
        tree = tree or await structure(db, head.framework_version_id)
        if before is None:
            before = {d.key: d.score for d in (await compute_results(db, firm.tenant_id, baseline.id)).dimensions}
        if after is None:
            after = {d.key: d.score for d in (await compute_results(db, firm.tenant_id, head.assessment.id)).dimensions}
    progress = assemble(tree, head.assessment, baseline, head.target_levels(), before, after, plan_id, initiatives)
    tracks = {d.key: progress_track(d) for d in progress.dimensions}
    peers = None
    if peers_row is not None:
        peers = lookup.moves_of(
            lookup.from_context(peers_row, head.assessment.id, "all"), {d.key: d.baseline for d in progress.dimensions}
        )
    engine = request.app.template_engine
    assert engine is not None
    html = engine.get_template("plans/_progress_body.html").render(
        p=progress,
        company=CompanyName(head.assessment.company_id, head.company_name or ""),
        tracks=tracks,
        peers=peers,
        base=base,
    )
    return Markup(html), keep  # noqa: S704 - an autoescaped template


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
