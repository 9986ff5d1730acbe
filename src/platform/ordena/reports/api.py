"""JSON API for reports: ask for one (202 and where to poll), then poll it until it is the file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import File, Response

from ordena.accounts.services import actor_of
from ordena.jobs import progress
from ordena.lib.i18n import _
from ordena.reports import services as reports
from ordena.reports.models import Report
from ordena.web.deps import DB, Firm
from ordena.web.forms import FormError

PREFIX = "/api/v1/w/{slug:str}"
TAGS = ["reports"]


class ReportIn(msgspec.Struct):
    format: str = ""
    locale: str = ""
    include_comments: bool = True


class ReportOut(msgspec.Struct):
    id: UUID
    job_id: UUID | None
    assessment_id: UUID | None  # none: the firm's portfolio workbook
    format: str
    locale: str
    include_comments: bool
    status: str
    url: str
    size: int | None = None
    sha256: str | None = None
    detail: str | None = None


def report_out(report: Report, slug: str, detail: str | None = None) -> ReportOut:
    done = report.status == progress.DONE
    return ReportOut(
        id=report.id,
        job_id=report.job_id,
        assessment_id=report.assessment_id,
        format=report.format,
        locale=report.locale,
        include_comments=report.include_comments,
        status=report.status,
        url=f"/api/v1/w/{slug}/reports/{report.id}",
        size=report.size if done else None,
        sha256=report.sha256 if done else None,
        detail=detail,
    )


@post(
    PREFIX + "/assessments/{assessment_id:uuid}/reports",
    opt={"access": "viewer"},
    operation_id="requestReport",
    tags=TAGS,
    summary="Ask for the assessment's report (pdf or xlsx, es or en): 202 with the report and its job;"
    " an up-to-date one is reused. 422 for an unknown format or language, 409 for a draft",
    status_code=202,
)
async def api_request_report(
    db: DB, firm: Firm, assessment_id: FromPath[UUID], data: JSONBody[ReportIn]
) -> Response[ReportOut]:
    values = msgspec.structs.asdict(data)
    try:
        report, _new = await reports.request_report(db, firm.tenant_id, actor_of(firm.user), assessment_id, values)
    except reports.ReportInvalid as exc:
        raise FormError("", {}, exc.errors) from exc
    await db.flush()
    return Response(report_out(report, firm.tenant.slug), status_code=202)


@get(
    PREFIX + "/reports/{report_id:uuid}",
    opt={"access": "viewer"},
    operation_id="getReport",
    tags=TAGS,
    summary="The report: 202 with its status while it is being made, then 200 with the file; 409 if it failed",
)
async def api_report(
    request: Request[Any, Any, Any], db: DB, firm: Firm, report_id: FromPath[UUID]
) -> Response[Any] | File:
    report = await reports.get_report(db, firm.tenant_id, report_id)
    if report.status in (progress.PENDING, progress.RUNNING):
        detail = _("El informe aún se está generando. Espera unos segundos y vuelve a intentarlo.")
        return Response(report_out(report, firm.tenant.slug, detail), status_code=202, headers={"Retry-After": "1"})
    if report.status == progress.FAILED:
        return Response(
            report_out(report, firm.tenant.slug, _("El informe no pudo generarse. Vuelve a pedirlo.")), status_code=409
        )
    path = reports.ready_file(request.app.state.settings.data_dir, report)
    return File(
        path=path,
        filename=reports.filename(report, await reports.name_for_file(db, firm.tenant_id, firm.tenant.slug, report)),
        media_type=reports.MEDIA_TYPES[report.format],
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


ROUTES = [api_request_report, api_report]
