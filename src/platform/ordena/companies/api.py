"""Companies in the JSON API (``/api/v1/w/{slug}/companies``): the same services as the pages."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Router, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from ordena.accounts.services import actor_of
from ordena.companies import ciiu, queries, services
from ordena.companies.models import Company, Contact
from ordena.companies.queries import CompanyRow
from ordena.companies.schemas import (
    CompanyCreate,
    CompanyDetail,
    CompanyList,
    CompanyOut,
    CompanyPatch,
    ContactOut,
    ValidationErrors,
)
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, Firm
from ordena.web.forms import FormError

INVALID = {
    422: ResponseSpec(
        data_container=ValidationErrors, description="Validation errors, one message per field", generate_examples=False
    )
}


def _out(c: Company | CompanyRow) -> CompanyOut:
    return CompanyOut(
        id=c.id,
        name=c.name,
        ruc=c.ruc,
        country=c.country,
        industry_section=c.industry_section,
        industry_section_name=ciiu.section_name(c.industry_section),
        industry_division=c.industry_division,
        size_band=c.size_band,
        employees=c.employees,
        archived=c.archived_at is not None,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _detail(c: Company, contacts: list[Contact]) -> CompanyDetail:
    return CompanyDetail(
        **{f: getattr(_out(c), f) for f in CompanyOut.__struct_fields__},
        contacts=[ContactOut(id=x.id, name=x.name, email=x.email, position=x.position) for x in contacts],
    )


def _invalid(exc: services.CompanyInvalid) -> FormError:
    # FormError answers JSON ({"status": 422, "errors": {...}}) on /api/ paths.
    return FormError("errors/error.html", {}, exc.errors)


@get("/w/{slug:str}/companies", opt={"access": "viewer"}, operation_id="listCompanies", summary="List client companies")
async def list_companies(
    request: Request[Any, Any, Any],
    q: FromQuery[str | None] = None,
    section: FromQuery[str | None] = None,
    size_band: FromQuery[str | None] = None,
    status: Annotated[str, QueryParameter(description="active (default), archived or all")] = "active",
    sort: Annotated[str, QueryParameter(description="name, -name, created or -created")] = "name",
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> CompanyList:
    """The firm's companies matching ``q`` (name or RUC prefix) and the filters, ordered by ``sort``; ``total`` counts every match."""
    filters = services.CompanyFilters.of(q, section, size_band, status, sort)
    rdb = request_db(request)  # plain rows on the driver, no ORM session (benchmarked: api_companies)
    con = await rdb.begin()
    rows, total = await queries.company_slice(con, firm_of(request).tenant_id, filters, limit=limit, offset=offset)
    await rdb.commit()
    return CompanyList(items=[_out(c) for c in rows], total=total, limit=limit, offset=offset)


@post(
    "/w/{slug:str}/companies",
    opt={"access": "consultant"},
    operation_id="createCompany",
    summary="Create a client company",
    responses=INVALID,
)
async def create_company(
    request: Request[Any, Any, Any], db: DB, firm: Firm, data: JSONBody[CompanyCreate]
) -> CompanyDetail:
    values: dict[str, Any] = {f: getattr(data, f) for f in CompanyCreate.__struct_fields__}
    try:
        company = await services.create_company(
            db, firm.tenant_id, actor_of(firm.user), values, settings=request.app.state.settings
        )
    except services.CompanyInvalid as exc:
        raise _invalid(exc) from exc
    return _detail(company, [])


@get(
    "/w/{slug:str}/companies/{company_id:uuid}",
    opt={"access": "viewer"},
    operation_id="getCompany",
    summary="A client company with its contacts",
)
async def get_company(db: DB, firm: Firm, company_id: FromPath[UUID]) -> CompanyDetail:
    company = await services.get_company(db, firm.tenant_id, company_id)
    return _detail(company, await services.list_contacts(db, firm.tenant_id, company.id))


@patch(
    "/w/{slug:str}/companies/{company_id:uuid}",
    opt={"access": "consultant"},
    operation_id="updateCompany",
    summary="Change some fields of a client company",
    responses=INVALID,
)
async def update_company(db: DB, firm: Firm, company_id: FromPath[UUID], data: JSONBody[CompanyPatch]) -> CompanyDetail:
    company = await services.get_company(db, firm.tenant_id, company_id)
    try:
        await services.update_company(db, firm.tenant_id, actor_of(firm.user), company, data.changes())
    except services.CompanyInvalid as exc:
        raise _invalid(exc) from exc
    return _detail(company, await services.list_contacts(db, firm.tenant_id, company.id))


companies_api = Router(
    path="/api/v1", route_handlers=[list_companies, create_company, get_company, update_company], tags=["companies"]
)

ROUTES = [companies_api]
