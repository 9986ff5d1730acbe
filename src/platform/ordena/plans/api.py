"""JSON API for plans, on the same services as the pages (Bearer tokens or a session)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from ordena.accounts.services import actor_of
from ordena.db.driver import driver
from ordena.plans import queries
from ordena.plans.assignment import Mailer
from ordena.plans.editing import InitiativeInvalid, update_initiative
from ordena.plans.generation import generate_plan
from ordena.plans.lookups import dependencies_of, get_initiative, get_plan
from ordena.plans.models import Initiative, Plan
from ordena.plans.schemas import InitiativeOut, InitiativePatch, PlanOut
from ordena.web.deps import DB, Firm
from ordena.web.forms import FormError

PREFIX = "/api/v1/w/{slug:str}"
TAGS = ["plans"]


def initiative_out(i: Initiative, depends_on: list[UUID]) -> InitiativeOut:
    return InitiativeOut(
        id=i.id,
        template_key=i.template_key,
        dimension_key=i.dimension_key,
        from_level=i.from_level,
        to_level=i.to_level,
        title=i.title,
        description=i.description,
        status=i.status,
        blocked_reason=i.blocked_reason,
        progress=i.progress,
        priority=i.priority,
        position=i.position,
        owner_user_id=i.owner_user_id,
        owner_contact_id=i.owner_contact_id,
        start_on=i.start_on,
        due_on=i.due_on,
        kpi_name=i.kpi_name,
        kpi_baseline=None if i.kpi_baseline is None else float(i.kpi_baseline),
        kpi_goal=None if i.kpi_goal is None else float(i.kpi_goal),
        question_keys=list(i.question_keys or []),
        depends_on=depends_on,
    )


async def plan_out(db: DB, firm: Firm, plan: Plan, no_data: list[str] | None = None) -> PlanOut:
    """The plan and its initiatives, read as plain rows in one statement (benchmarked: loading
    them as ORM objects was most of generating again)."""
    await db.flush()
    return PlanOut(
        id=plan.id,
        assessment_id=plan.assessment_id,
        company_id=plan.company_id,
        title=plan.title,
        created_at=plan.created_at,
        no_data=no_data or [],
        initiatives=await queries.plan_initiatives(await driver(db), firm.tenant_id, plan.id),
    )


@post(
    PREFIX + "/assessments/{assessment_id:uuid}/plan",
    opt={"access": "consultant"},
    operation_id="generatePlan",
    tags=TAGS,
    summary="Generate the assessment's plan (201), or add what it is missing (200); 409 unless validated",
)
async def api_generate(db: DB, firm: Firm, assessment_id: FromPath[UUID]) -> Response[PlanOut]:
    result = await generate_plan(db, firm.tenant_id, actor_of(firm.user), assessment_id)
    body = await plan_out(db, firm, result.plan, result.proposal.no_data)
    return Response(body, status_code=201 if result.created else 200)


@get(
    PREFIX + "/plans/{plan_id:uuid}",
    opt={"access": "viewer"},
    operation_id="getPlan",
    tags=TAGS,
    summary="A plan with its initiatives, most urgent first",
)
async def api_plan(db: DB, firm: Firm, plan_id: FromPath[UUID]) -> PlanOut:
    return await plan_out(db, firm, await get_plan(db, firm.tenant_id, plan_id))


@patch(
    PREFIX + "/plans/{plan_id:uuid}/initiatives/{initiative_id:uuid}",
    opt={"access": "consultant"},
    operation_id="updateInitiative",
    tags=TAGS,
    summary="Change an initiative (only the fields sent); 422 with a message per field",
)
async def api_update_initiative(
    request: Request[Any, Any, Any],
    db: DB,
    firm: Firm,
    plan_id: FromPath[UUID],
    initiative_id: FromPath[UUID],
    data: JSONBody[InitiativePatch],
) -> InitiativeOut:
    plan = await get_plan(db, firm.tenant_id, plan_id)
    initiative = await get_initiative(db, firm.tenant_id, initiative_id, plan_id=plan.id)
    values: dict[str, Any] = {k: ("" if v is None else v) for k, v in msgspec.structs.asdict(data).items()}
    values = {k: v for k, v in values.items() if v is not msgspec.UNSET}
    if "depends_on" in values:
        values["depends_on"] = [str(d) for d in values["depends_on"]]
    for key in ("priority", "progress", "kpi_baseline", "kpi_goal"):
        if key in values:
            values[key] = str(values[key])
    try:
        saved = await update_initiative(
            db,
            firm.tenant_id,
            actor_of(firm.user),
            initiative.id,
            values,
            partial=True,
            mailer=Mailer(request.app.state.settings, firm.tenant),
        )
    except InitiativeInvalid as exc:
        raise FormError("", {}, exc.errors) from exc
    edges = await dependencies_of(db, firm.tenant_id, plan.id)
    return initiative_out(saved, edges.get(saved.id, []))


ROUTES = [api_generate, api_plan, api_update_initiative]
