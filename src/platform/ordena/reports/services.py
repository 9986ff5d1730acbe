"""Asking for an assessment's report, and finding its file.

A request checks the format, language and the assessment's state, then reuses a report that is
being made or is up to date (same assessment, format, language and comments option, and the
content fingerprint it was made from is the current one), or records a new one with its
progress row and job in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.lookups import get_assessment
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.models import Company
from ordena.jobs import outbox, progress
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import LOCALES, _, lazy
from ordena.reports.fingerprint import content_fingerprint
from ordena.reports.models import FORMATS, Report

JOB = "render_report"
KIND = "report"
STEPS = 4  # read, charts, print, store: what the progress bar counts
# A draft or an assessment still being answered has no report: its scores would change under it.
REPORTABLE = ("submitted", "validated", "published")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

progress.register_kind(KIND, lazy("Informe de la evaluación"))


class ReportInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("report request invalid")
        self.errors = errors


@dataclass(frozen=True)
class ReportRequest:
    format: str
    locale: str
    include_comments: bool


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return value is True or str(value).strip().lower() in ("1", "on", "true", "yes", "si", "sí")


def parse_request(values: Mapping[str, Any]) -> ReportRequest:
    """The format (pdf, xlsx), the language (es, en) and whether comments go in (default yes)."""
    errors = FormErrors()
    fmt = str(values.get("format") or "").strip().lower()
    locale = str(values.get("locale") or "").strip().lower()
    if fmt not in FORMATS:
        errors.add("format", _("Elige un formato: PDF o Excel (pdf, xlsx)."))
    if locale not in LOCALES:
        errors.add("locale", _("Elige un idioma: español o inglés (es, en)."))
    raw = values.get("include_comments", True)
    include = True if raw is None else _truthy(raw)
    if errors:
        raise ReportInvalid(errors)
    return ReportRequest(fmt, locale, include)


def select_report(tenant_id: UUID, report_id: UUID) -> Select[tuple[Report]]:
    return select(Report).where(Report.tenant_id == tenant_id, Report.id == report_id)


async def get_report(db: AsyncSession, tenant_id: UUID, report_id: UUID, *, for_update: bool = False) -> Report:
    stmt = select_report(tenant_id, report_id)
    if for_update:
        stmt = stmt.with_for_update()
    report = await db.scalar(stmt)
    if report is None:
        raise NotFound()
    return report


async def _reusable(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, req: ReportRequest, fingerprint: str
) -> Report | None:
    rows = await db.scalars(
        select(Report)
        .where(
            Report.tenant_id == tenant_id,
            Report.assessment_id == assessment_id,
            Report.format == req.format,
            Report.locale == req.locale,
            Report.include_comments == req.include_comments,
            Report.status.in_(("pending", "running", "done")),
        )
        .order_by(Report.created_at.desc())
        .limit(5)
    )
    for row in rows:
        if row.status in ("pending", "running") or row.fingerprint == fingerprint:
            return row
    return None


async def request_report(
    db: AsyncSession, tenant_id: UUID, actor: Actor, assessment_id: UUID, values: Mapping[str, Any]
) -> tuple[Report, bool]:
    """The report asked for, and whether it is new (a job was enqueued) or reused."""
    req = parse_request(values)
    assessment = await get_assessment(db, tenant_id, assessment_id)
    if assessment.status not in REPORTABLE:
        raise ServiceError(
            _(
                "El informe se genera cuando la evaluación está enviada, validada o publicada; esta está en borrador o en curso."
            ),
            status_code=409,
        )
    fingerprint = await content_fingerprint(db, tenant_id, assessment_id)
    existing = await _reusable(db, tenant_id, assessment_id, req, fingerprint)
    if existing is not None:
        return existing, False
    report = Report(
        tenant_id=tenant_id,
        assessment_id=assessment_id,
        format=req.format,
        locale=req.locale,
        include_comments=req.include_comments,
        status=progress.PENDING,
        requested_by=actor.id,
    )
    db.add(report)
    await db.flush()
    job = await progress.start(db, tenant_id, kind=KIND, owner_key=f"report:{report.id}", total=STEPS)
    report.job_id = job.id
    outbox.enqueue(db, JOB, tenant_id, report.id)
    AuditTrail(db, tenant_id, actor)(
        "create",
        "report",
        report.id,
        after={
            "assessment_id": str(assessment_id),
            "format": req.format,
            "locale": req.locale,
            "include_comments": req.include_comments,
        },
    )
    return report, True


def parse_portfolio_request(values: Mapping[str, Any]) -> str:
    """The portfolio workbook's language (es, en)."""
    locale = str(values.get("locale") or "").strip().lower()
    if locale not in LOCALES:
        errors = FormErrors()
        errors.add("locale", _("Elige un idioma: español o inglés (es, en)."))
        raise ReportInvalid(errors)
    return locale


async def request_portfolio(
    db: AsyncSession, tenant_id: UUID, actor: Actor, values: Mapping[str, Any]
) -> tuple[Report, bool]:
    """The firm's portfolio workbook (every company, its latest scores, its plans' progress) as a
    report without an assessment: the same job, progress page and download as an assessment's.
    One being made in that language is reused; otherwise a new one (the portfolio changes all the
    time, and the finished one replaces the older file)."""
    locale = parse_portfolio_request(values)
    existing = await db.scalar(
        select(Report)
        .where(
            Report.tenant_id == tenant_id,
            Report.assessment_id.is_(None),
            Report.locale == locale,
            Report.status.in_((progress.PENDING, progress.RUNNING)),
        )
        .order_by(Report.created_at.desc())
        .limit(1)
    )
    if existing is not None:
        return existing, False
    report = Report(
        tenant_id=tenant_id,
        assessment_id=None,
        format="xlsx",
        locale=locale,
        include_comments=False,
        status=progress.PENDING,
        requested_by=actor.id,
    )
    db.add(report)
    await db.flush()
    job = await progress.start(db, tenant_id, kind=KIND, owner_key=f"report:{report.id}", total=STEPS)
    report.job_id = job.id
    outbox.enqueue(db, JOB, tenant_id, report.id)
    AuditTrail(db, tenant_id, actor)("create", "report", report.id, after={"portfolio": True, "locale": locale})
    return report, True


def report_path(data_dir: Path, report: Report) -> Path:
    """Where a report's file lives: one folder per firm, one file per report."""
    return Path(data_dir) / "reports" / str(report.tenant_id) / f"{report.id}.{report.format}"


def storage_key(report: Report) -> str:
    return f"{report.tenant_id}/{report.id}.{report.format}"


def ready_file(data_dir: Path, report: Report) -> Path:
    """The file of a finished report; a clear 409 while it is being made, 404 when it failed or
    its file is gone."""
    if report.status in (progress.PENDING, progress.RUNNING):
        raise ServiceError(
            _("El informe aún se está generando. Espera unos segundos y vuelve a intentarlo."), status_code=409
        )
    if report.status != progress.DONE:
        raise ServiceError(_("El informe no pudo generarse. Vuelve a pedirlo."), status_code=409)
    path = report_path(data_dir, report)
    if not path.is_file():
        raise NotFound()
    return path


def filename(report: Report, company_name: str) -> str:
    """``informe-<company>-<date>.<ext>``; the portfolio's is ``cartera-<firm>-<date>.xlsx``
    (``company_name`` is then the firm's slug)."""
    if report.is_portfolio:
        return f"cartera-{company_name}-{report.created_at:%Y-%m-%d}.xlsx"
    stem = "".join(c if c.isalnum() else "-" for c in company_name.lower()).strip("-")[:60] or "informe"
    return f"informe-{stem}-{report.created_at:%Y-%m-%d}.{report.format}"


async def name_for_file(db: AsyncSession, tenant_id: UUID, slug: str, report: Report) -> str:
    """What a report's file is named after: its assessment's company, or the firm (portfolio)."""
    if report.assessment_id is None:
        return slug
    assessment = await get_assessment(db, tenant_id, report.assessment_id)
    company = await db.get(Company, (tenant_id, assessment.company_id))
    return company.name if company else ""


async def ready_pdfs(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> list[Report]:
    """The newest finished PDF of an assessment per language (what a client contact may download)."""
    newest: dict[str, Report] = {}
    for report in await db.scalars(
        select(Report)
        .where(
            Report.tenant_id == tenant_id,
            Report.assessment_id == assessment_id,
            Report.format == "pdf",
            Report.status == progress.DONE,
        )
        .order_by(Report.created_at.desc())
        .limit(20)
    ):
        newest.setdefault(report.locale, report)
    return list(newest.values())
