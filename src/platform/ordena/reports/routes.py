"""An assessment's results page and the consultant's validated scores (overrides)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import actor_of
from ordena.assessments import results as results_service
from ordena.assessments.lookups import get_assessment
from ordena.assessments.published import results_of
from ordena.assessments.results import AssessmentResults, OverrideInvalid
from ordena.companies.models import Company
from ordena.db.driver import driver
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.networks.benchmark_view import section
from ordena.reports.charts import results_charts
from ordena.tenancy.services import FirmContext
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError, form_values
from ordena.web.pages import page, redirect


async def _context(db: AsyncSession, firm: FirmContext, assessment_id: UUID) -> dict[str, Any]:
    assessment = await get_assessment(db, firm.tenant_id, assessment_id)
    stored = await results_service.history(db, firm.tenant_id, assessment.company_id)
    results: AssessmentResults = await results_of(db, firm.tenant_id, assessment, stored)
    company = await db.get(Company, (firm.tenant_id, assessment.company_id))
    points = [p for p in stored if p.assessment_id != assessment.id]
    # The current run closes the line (its live scores, or its snapshot once published).
    current = results_service.HistoryPoint(
        assessment_id=assessment.id,
        title=assessment.title,
        version_id=assessment.framework_version_id,
        published_at=assessment.published_at or assessment.created_at,
        overall=results.overall,
        pillars={p.key: p.score for p in results.pillars},
        dimensions={d.key: d.score for d in results.dimensions},
    )
    history = [*points, current] if points else []
    return {
        "results": results,
        "charts": results_charts(results, history),
        "assessment": assessment,
        "company_name": company.name if company else "",
        "can_override": firm.can_consult and assessment.status == "submitted",
        "dimension_options": [("", _("Elige una dimensión"))]
        + [(str(d.id), results.dimension_name(d.key)) for d in results.dimensions],
        "values": {},
        "errors": FormErrors(),
    }


@get("/w/{slug:str}/assessments/{assessment_id:uuid}/results", opt={"access": "viewer"}, name="assessment_results")
async def results_page(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    assessment_id: FromPath[UUID],
    slice_kind: Annotated[str | None, QueryParameter(name="slice", required=False)] = None,
) -> Template:
    """The results; once published, with the peer comparison (``?slice=`` picks the cohort,
    htmx swaps only that section)."""
    context = await _context(db, firm, assessment_id)
    base = f"/w/{firm.tenant.slug}/assessments/{assessment_id}/results"
    context["benchmark_action"] = base
    context["benchmark"] = None
    if context["assessment"].status == "published":
        context["benchmark"] = await section(await driver(db), firm.tenant_id, assessment_id, slice_kind)
    return page(request, "results/page.html", block="benchmark", **context)


@post("/w/{slug:str}/assessments/{assessment_id:uuid}/overrides", opt={"access": "consultant"})
async def save_override(db: DB, firm: Firm, assessment_id: FromPath[UUID], data: Form) -> Redirect:
    values = form_values(data)
    try:
        await results_service.set_override(db, firm.tenant_id, assessment_id, actor_of(firm.user), values)
    except OverrideInvalid as exc:
        context = await _context(db, firm, assessment_id)
        context["can_override"] = firm.can_consult  # keep the form to show why it was refused
        raise FormError("results/page.html", {**context, "values": values}, exc.errors) from exc
    return redirect(
        f"/w/{firm.tenant.slug}/assessments/{assessment_id}/results#override", flash=_("Puntaje validado guardado.")
    )


ROUTES = [results_page, save_override]
