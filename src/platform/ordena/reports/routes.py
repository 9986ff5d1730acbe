"""An assessment's results page, the consultant's validated scores (overrides), and the
assessment's reports: asking for one, its progress, its download (firm members; a client
contact for a published assessment of their company), and the firm's portfolio workbook."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import File, Redirect, Response, Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import actor_of
from ordena.assessments import queries as assessments_queries
from ordena.assessments import results as results_service
from ordena.assessments.lookups import get_assessment, list_assessments
from ordena.assessments.models import STATUSES as ASSESSMENT_STATUSES
from ordena.assessments.results import AssessmentResults, OverrideInvalid
from ordena.companies.models import Company
from ordena.companies.services import CompanyFilters, list_companies
from ordena.frameworks.services import published_tree, structure
from ordena.jobs import progress
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _, get_locale
from ordena.lib.kept import Kept
from ordena.lib.safe_csv import content_disposition
from ordena.networks.benchmark_view import View, section
from ordena.reports import exports, results_view
from ordena.reports import queries as reports_queries
from ordena.reports import services as reports
from ordena.reports.charts import ResultsCharts
from ordena.reports.fingerprint import content_fingerprint
from ordena.reports.models import Report
from ordena.tenancy.services import FirmContext
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, CurrentAuth, Firm, Form
from ordena.web.forms import FormError, form_values
from ordena.web.pages import page, redirect


def _render_body(request: Request[Any, Any, Any]) -> results_view.Render:
    """The results' body (``results/_body.html``, shared with the client contact's page) as markup."""

    def render(results: AssessmentResults, charts: ResultsCharts) -> Markup:
        engine = request.app.template_engine
        assert engine is not None
        template = engine.get_template("results/_body.html")
        return Markup(template.render(results=results, charts=charts))  # noqa: S704 - autoescaped template

    return render


# The peer comparison as rendered lately: a pure function of its view (keyed by every input of
# it: ``benchmark_view.section``) and of the page's path the cohort picker sends to.
_SECTIONS_KEPT = 128
_SECTIONS: Kept[Markup] = Kept(_SECTIONS_KEPT)


def _benchmark_html(request: Request[Any, Any, Any], view: View | None, action: str) -> Markup | None:
    """``networks/_benchmark.html`` for ``view``, rendered once per view and page."""
    if view is None or view.key is None:
        return None
    key = (view.key, action)
    found = _SECTIONS.get(key)
    if found is not None:
        return found
    engine = request.app.template_engine
    assert engine is not None
    html = Markup(  # noqa: S704 - an autoescaped template
        engine.get_template("networks/_benchmark.html").render(benchmark=view, benchmark_action=action)
    )
    return _SECTIONS.put(key, html)


async def _context(
    request: Request[Any, Any, Any], firm: FirmContext, assessment_id: UUID, db: AsyncSession | None = None
) -> dict[str, Any]:
    """The results page's context. Plain rows on the request's driver: a published assessment's
    results come from its stored snapshot, built into a view once (``reports.results_view``); the
    ORM session (``db``, or one opened once the reads are done) only computes a run that is not
    published yet, or loads a framework tree read for the first time."""
    rdb = request_db(request)
    con = await rdb.begin()
    head = await assessments_queries.results_head(con, tenant_id=firm.tenant_id, assessment_id=assessment_id)
    if head is None:
        raise NotFound()
    runs = await assessments_queries.company_runs(con, tenant_id=firm.tenant_id, company_id=head.company_id)
    reports_list = await reports_queries.latest_reports(con, firm.tenant_id, head.id)
    benchmark = None
    if head.status == "published":
        benchmark = await section(con, firm.tenant_id, head.id, request.query_params.get("slice"))
    tree = published_tree(head.framework_version_id, head.version_status, head.version_published_at)
    view = None
    if tree is not None:
        view = results_view.published_view(firm.tenant_id, head, runs, tree, get_locale(), _render_body(request))
    if view is None:  # not published, a snapshot without the whole document, or a tree not read yet
        if db is None:
            await rdb.commit()
            db = await rdb.session()
        tree = await structure(db, head.framework_version_id)
        view = results_view.published_view(firm.tenant_id, head, runs, tree, get_locale(), _render_body(request))
        if view is None:
            results = await results_service.compute_results(db, firm.tenant_id, head.id)
            points = results_service.history_of(runs)
            body = _render_body(request)(results, results_view.charts_of(head, results, points))
            view = results_view.ResultsView(results, body)
    results = view.results
    action = f"/w/{firm.tenant.slug}/assessments/{head.id}/results"
    can_override = firm.can_consult and head.status == "submitted"
    return {
        "results": results,
        "body": view.body,
        "assessment": head,
        "company_name": head.company_name,
        "can_override": can_override,
        "dimension_options": [("", _("Elige una dimensión"))]
        + [(str(d.id), results.dimension_name(d.key)) for d in results.dimensions],
        "values": {},
        "errors": FormErrors(),
        "reports": reports_list,
        "reportable": head.status in reports.REPORTABLE,
        "report_values": {"format": "pdf", "locale": firm.tenant.locale or "es", "include_comments": True},
        "report_errors": FormErrors(),
        "benchmark": benchmark,
        "benchmark_action": action,
        "benchmark_html": _benchmark_html(request, benchmark, action),
    }


@get("/w/{slug:str}/assessments/{assessment_id:uuid}/results", opt={"access": "viewer"}, name="assessment_results")
async def results_page(
    request: Request[Any, Any, Any],
    assessment_id: FromPath[UUID],
    slice_kind: Annotated[str | None, QueryParameter(name="slice", required=False)] = None,
) -> Template:
    """The results; once published, with the peer comparison (``?slice=`` picks the cohort,
    htmx swaps only that section). No ORM session for a published assessment (benchmarked:
    ``results``)."""
    firm = firm_of(request)
    base = f"/w/{firm.tenant.slug}/assessments/{assessment_id}/results"
    if slice_kind is not None and request.headers.get("hx-request") and not request.headers.get("hx-boosted"):
        return await _benchmark_fragment(request, firm, assessment_id, slice_kind, base)
    context = await _context(request, firm, assessment_id)
    await request_db(request).commit()
    return page(request, "results/page.html", block="benchmark", **context)


async def _benchmark_fragment(
    request: Request[Any, Any, Any], firm: FirmContext, assessment_id: UUID, slice_kind: str, base: str
) -> Template:
    """The cohort picker's swap: only the peer comparison is read (one statement, benchmarked:
    ``benchmark``), none of the rest of the page."""
    rdb = request_db(request)
    con = await rdb.begin()
    try:
        view = await section(con, firm.tenant_id, assessment_id, slice_kind)
    except NotFound:
        if await assessments_queries.results_head(con, tenant_id=firm.tenant_id, assessment_id=assessment_id) is None:
            raise  # 404 when it is not this firm's
        view = None  # not published yet: no comparison
    await rdb.commit()
    return page(
        request,
        "results/page.html",
        block="benchmark",
        benchmark=view,
        benchmark_action=base,
        benchmark_html=_benchmark_html(request, view, base),
    )


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/overrides", opt={"access": "consultant"})
async def save_override(
    request: Request[Any, Any, Any], db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form
) -> Redirect:
    values = form_values(data)
    try:
        await results_service.set_override(db, firm.tenant_id, assessment_id, actor_of(firm.user), values)
    except OverrideInvalid as exc:
        context = await _context(request, firm, assessment_id, db)
        context["can_override"] = firm.can_consult  # keep the form to show why it was refused
        raise FormError("results/page.html", {**context, "values": values}, exc.errors) from exc
    return redirect(
        f"/w/{firm.tenant.slug}/assessments/{assessment_id}/results#override", flash=_("Puntaje validado guardado.")
    )


# --- reports ----------------------------------------------------------------------------------


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/reports", opt={"access": "viewer"}, name="report_request")
async def request_report(
    request: Request[Any, Any, Any], db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form
) -> Redirect:
    values = {k: (v[-1] if isinstance(v, list) else v) for k, v in form_values(data).items()}
    values.setdefault("include_comments", "")  # an unticked box sends nothing: leave comments out
    try:
        report, _new = await reports.request_report(db, firm.tenant_id, actor_of(firm.user), assessment_id, values)
    except reports.ReportInvalid as exc:
        context = await _context(request, firm, assessment_id, db)
        context.update(report_values=values, report_errors=exc.errors)
        raise FormError("results/page.html", context, exc.errors) from exc
    return redirect(f"/w/{firm.tenant.slug}/reports/{report.id}")


async def _report_view(db: DB, firm: FirmContext, report: Report) -> dict[str, Any]:
    job = await progress.read(db, firm.tenant_id, report.job_id) if report.job_id else None
    view: dict[str, Any] = {
        "report": report,
        "job": job,
        "assessment": None,
        "outdated": False,
        "base": f"/w/{firm.tenant.slug}",
    }
    if report.assessment_id is not None:
        assessment = await get_assessment(db, firm.tenant_id, report.assessment_id)
        fingerprint = await content_fingerprint(db, firm.tenant_id, assessment.id)
        view["assessment"] = assessment
        view["outdated"] = report.status == progress.DONE and report.fingerprint != fingerprint
    return view


@get("/w/{slug:str}/reports/{report_id:uuid}", opt={"access": "viewer"}, name="report")
async def report_page(request: Request[Any, Any, Any], db: DB, firm: Firm, report_id: FromPath[UUID]) -> Template:
    """The report's progress (htmx polls the fragment every second), then its download."""
    report = await reports.get_report(db, firm.tenant_id, report_id)
    response = page(request, "reports/status.html", block="progress", **await _report_view(db, firm, report))
    response.headers["Cache-Control"] = "no-store"
    return response


def _file(path: Any, report: Report, company_name: str) -> File:
    return File(
        path=path,
        filename=reports.filename(report, company_name),
        media_type=reports.MEDIA_TYPES[report.format],
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@get("/w/{slug:str}/reports/{report_id:uuid}/download", opt={"access": "viewer"}, name="report_download")
async def report_download(request: Request[Any, Any, Any], db: DB, firm: Firm, report_id: FromPath[UUID]) -> File:
    report = await reports.get_report(db, firm.tenant_id, report_id)
    path = reports.ready_file(request.app.state.settings.data_dir, report)
    return _file(path, report, await reports.name_for_file(db, firm.tenant_id, firm.tenant.slug, report))


@get("/c/reports/{report_id:uuid}", opt={"access": "contact"}, name="contact_report_download")
async def contact_report_download(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, report_id: FromPath[UUID]
) -> File:
    """A client contact downloads a finished report of a published assessment of their company."""
    scope = auth.contact
    if scope is None or not scope.get("tenant_id"):
        raise NotFoundException()
    tenant_id = UUID(str(scope["tenant_id"]))
    report = await reports.get_report(db, tenant_id, report_id)
    if report.assessment_id is None:  # the firm's portfolio is the firm's alone
        raise NotFoundException()
    assessment = await get_assessment(db, tenant_id, report.assessment_id)
    if str(assessment.company_id) != str(scope.get("company_id")) or assessment.status != "published":
        raise NotFoundException()
    path = reports.ready_file(request.app.state.settings.data_dir, report)
    company = await db.get(Company, (tenant_id, assessment.company_id))
    return _file(path, report, company.name if company else "")


@post("/w/{slug:str}/portfolio/reports", opt={"access": "viewer", "read_only_ok": True}, name="portfolio_request")
async def request_portfolio(db: DB, firm: Firm, data: Form) -> Redirect:
    """The firm's portfolio workbook (every company, its latest published scores per dimension and
    its plans' progress), made by the report job; the answer is its progress page, then the file."""
    values = {k: (v[-1] if isinstance(v, list) else v) for k, v in form_values(data).items()}
    values.setdefault("locale", firm.tenant.locale or "es")
    try:
        report, _new = await reports.request_portfolio(db, firm.tenant_id, actor_of(firm.user), values)
    except reports.ReportInvalid as exc:
        raise ServiceError(exc.errors.get("locale") or "", status_code=422) from exc
    return redirect(f"/w/{firm.tenant.slug}/reports/{report.id}")


# --- CSV of the list pages, as filtered on the page -------------------------------------------

# A firm's whole list in one file: far above any real firm, a bound on a runaway export.
EXPORT_LIMIT = 100_000


def _csv(body: bytes, name: str) -> Response[bytes]:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition(f"{name}-{now():%Y-%m-%d}.csv"),
            "Cache-Control": "no-store",
        },
    )


@get("/w/{slug:str}/companies.csv", opt={"access": "viewer"}, name="companies_csv")
async def companies_csv(
    db: DB,
    firm: Firm,
    q: FromQuery[str | None] = None,
    section: FromQuery[str | None] = None,
    size: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
) -> Response[bytes]:
    filters = CompanyFilters.of(q, section, size, status, sort)
    rows, _total = await list_companies(db, firm.tenant_id, filters, limit=EXPORT_LIMIT, offset=0)
    return _csv(exports.companies_csv(rows), f"empresas-{firm.tenant.slug}")


@get("/w/{slug:str}/assessments.csv", opt={"access": "viewer"}, name="assessments_csv")
async def assessments_csv(
    db: DB, firm: Firm, status: FromQuery[str | None] = None, company_id: FromQuery[str | None] = None
) -> Response[bytes]:
    try:
        company = UUID(company_id) if company_id else None
    except ValueError:
        company = None
    result = await list_assessments(
        db,
        firm.tenant_id,
        status=status if status in ASSESSMENT_STATUSES else None,
        company_id=company,
        per_page=EXPORT_LIMIT,
    )
    return _csv(exports.assessments_csv(result.items), f"evaluaciones-{firm.tenant.slug}")


ROUTES = [
    companies_csv,
    assessments_csv,
    results_page,
    save_override,
    request_report,
    report_page,
    report_download,
    contact_report_download,
    request_portfolio,
]
