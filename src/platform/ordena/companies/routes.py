"""Pages of a firm's client companies: list, create/edit, detail with contacts and assessments,
archive/restore, and the CSV import. Handlers stay thin: the rules live in ``services``."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from ordena.accounts.services import actor_of
from ordena.assessments import lookups as assessments
from ordena.assessments import results, scoring
from ordena.companies import ciiu, csv_import, queries, services
from ordena.companies.jobs import KIND as IMPORT_KIND
from ordena.companies.models import Company
from ordena.frameworks.services import structure
from ordena.jobs import outbox, progress
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _, format_date, format_number
from ordena.lib.kept import Kept
from ordena.lib.pagination import page_number
from ordena.plans.board import company_rollup
from ordena.tenancy.services import FirmContext
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError, form_values
from ordena.web.pages import page, redirect

PER_PAGE = 25
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _base(firm: FirmContext) -> str:
    return f"/w/{firm.tenant.slug}/companies"


def _choices() -> dict[str, Any]:
    return {
        "section_options": ciiu.section_options(),
        "sections": ciiu.SECTIONS,
        "division_options": ciiu.division_options(),
        "size_band_options": services.size_band_options(),
        "size_band_help": services.size_band_help(),
        "country_options": services.country_options(),
    }


def _values_of(company: Company) -> dict[str, str]:
    return {f: "" if getattr(company, f) is None else str(getattr(company, f)) for f in services.FIELDS}


def _labels() -> dict[str, Any]:
    return {
        "section_label": ciiu.section_label,
        "section_name": ciiu.section_name,
        "division_name": ciiu.division_name,
        "division_label": ciiu.division_label,
        "size_band_label": services.size_band_label,
        "country_name": services.country_name,
    }


# --- list -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListLine:
    """A company as its list row shows it, every cell's text made once in Python: a Jinja call
    per cell (sector and division names, size, number, date) was most of the page's template."""

    id: UUID
    href: str  # the company's page
    name: str
    ruc: str
    archived: bool
    section: str
    section_title: str
    division: str | None
    division_title: str
    size: str
    employees: str
    created: str


def list_lines(rows: list[queries.CompanyRow], base: str) -> list[ListLine]:
    return [
        ListLine(
            id=r.id,
            href=f"{base}/{r.id}",
            name=r.name,
            ruc=r.ruc or "—",
            archived=r.archived_at is not None,
            section=r.industry_section,
            section_title=ciiu.section_name(r.industry_section),
            division=r.industry_division,
            division_title=ciiu.division_name(r.industry_division),
            size=services.size_band_label(r.size_band),
            employees=format_number(r.employees, 0) if r.employees is not None else "—",
            created=format_date(r.created_at, "short"),
        )
        for r in rows
    ]


@get("/w/{slug:str}/companies", opt={"access": "viewer"}, name="companies")
async def list_page(
    request: Request[Any, Any, Any],
    q: FromQuery[str | None] = None,
    section: FromQuery[str | None] = None,
    size: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
    page_param: Annotated[str | None, QueryParameter(name="page")] = None,
) -> Template:
    """Plain rows on the request's driver: the page opens no ORM session (benchmarked: ``companies``)."""
    firm = firm_of(request)
    rdb = request_db(request)
    filters = services.CompanyFilters.of(q, section, size, status, sort)
    con = await rdb.begin()
    result = await queries.company_page(con, firm.tenant_id, filters, page=page_number(page_param), per_page=PER_PAGE)
    any_company = result.total > 0 or await queries.has_companies(con, firm.tenant_id)
    await rdb.commit()
    return page(
        request,
        "companies/list.html",
        block="results",
        result=result,
        lines=list_lines(result.companies, _base(firm)),
        filters=filters,
        filter_form=filter_form(request, _base(firm), filters),
        any_company=any_company,
        **_choices(),
    )


# The search form's text per (template, firm, filters): a language's template is its own
# object, and an edited template (development) another, so every input is in the key.
_FILTER_FORMS: Kept[Markup] = Kept(maxsize=1024)


def filter_form(request: Request[Any, Any, Any], base: str, filters: services.CompanyFilters) -> Markup:
    """The list's search form (``companies/filters.html``), rendered once per firm, language and
    filters (profiled: its option lists were a third of the company list's template)."""
    engine = request.app.template_engine
    assert engine is not None  # pages render through it (ordena.web.templating)
    template = engine.get_template("companies/filters.html")
    key = (template, base, filters.q, filters.section, filters.size_band, filters.status, filters.sort)
    found = _FILTER_FORMS.get(key)
    if found is None:
        text = template.render(
            base=base,
            filters=filters,
            section_options=ciiu.section_options(),
            size_band_options=services.size_band_options(),
        )
        found = _FILTER_FORMS.put(key, Markup(text))  # noqa: S704 - an autoescaped template's output
    return found


# --- create / edit ----------------------------------------------------------------------------


@get("/w/{slug:str}/companies/new", opt={"access": "consultant"})
async def new_page(firm: Firm) -> Template:
    return Template(
        "companies/form.html",
        context={"company": None, "values": {"country": "PE"}, "errors": FormErrors(), **_choices()},
    )


@post("/w/{slug:str}/companies", opt={"access": "consultant"})
async def create(request: Request[Any, Any, Any], db: DB, firm: Firm, data: Form) -> Redirect:
    values = form_values(data)
    try:
        company = await services.create_company(
            db, firm.tenant_id, actor_of(firm.user), values, settings=request.app.state.settings
        )
    except services.CompanyInvalid as exc:
        raise FormError("companies/form.html", {"company": None, "values": values, **_choices()}, exc.errors) from exc
    return redirect(f"{_base(firm)}/{company.id}", flash=_("Empresa «{name}» creada.").format(name=company.name))


@get("/w/{slug:str}/companies/{company_id:uuid}/edit", opt={"access": "consultant"})
async def edit_page(db: DB, firm: Firm, company_id: FromPath[UUID]) -> Template | Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    if company.archived_at is not None:
        return redirect(f"{_base(firm)}/{company.id}", flash=_("Restaura la empresa para editarla."), kind="error")
    return Template(
        "companies/form.html",
        context={"company": company, "values": _values_of(company), "errors": FormErrors(), **_choices()},
    )


@post("/w/{slug:str}/companies/{company_id:uuid}/edit", opt={"access": "consultant"})
async def update(db: DB, firm: Firm, company_id: FromPath[UUID], data: Form) -> Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    if company.archived_at is not None:
        return redirect(f"{_base(firm)}/{company.id}", flash=_("Restaura la empresa para editarla."), kind="error")
    values = form_values(data)
    try:
        await services.update_company(
            db, firm.tenant_id, actor_of(firm.user), company, {k: values.get(k, "") for k in services.FIELDS}
        )
    except services.CompanyInvalid as exc:
        raise FormError(
            "companies/form.html", {"company": company, "values": values, **_choices()}, exc.errors
        ) from exc
    return redirect(f"{_base(firm)}/{company.id}", flash=_("Cambios guardados."))


# --- detail, contacts ---------------------------------------------------------------------------


async def _assessments(db: DB, firm: FirmContext, company_id: UUID) -> list[Any]:
    return list(await assessments.list_for_company(db, firm.tenant_id, company_id))


async def _latest_result(db: DB, firm: FirmContext, company_id: UUID) -> dict[str, Any] | None:
    """The company's latest published result: score, maturity level and its name in the
    framework the assessment used."""
    points = await results.history(db, firm.tenant_id, company_id)
    if not points:
        return None
    latest = points[-1]
    level = scoring.level_of(latest.overall)
    tree = await structure(db, latest.version_id)
    return {"point": latest, "level": level, "level_name": tree.level_name(level) if level else ""}


async def _detail_context(db: DB, firm: FirmContext, company: Company) -> dict[str, Any]:
    return {
        "company": company,
        "contacts": await services.list_contacts(db, firm.tenant_id, company.id),
        "assessments": await _assessments(db, firm, company.id),
        "plan_rollup": await company_rollup(db, firm.tenant_id, company.id),
        "latest_result": await _latest_result(db, firm, company.id),
        "contact_values": {},
        **_labels(),
    }


@get("/w/{slug:str}/companies/{company_id:uuid}", opt={"access": "viewer"})
async def detail_page(db: DB, firm: Firm, company_id: FromPath[UUID]) -> Template:
    company = await services.get_company(db, firm.tenant_id, company_id)
    return Template(
        "companies/detail.html", context={**await _detail_context(db, firm, company), "errors": FormErrors()}
    )


@post("/w/{slug:str}/companies/{company_id:uuid}/contacts", opt={"access": "consultant"})
async def add_contact(db: DB, firm: Firm, company_id: FromPath[UUID], data: Form) -> Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    values = form_values(data)
    if company.archived_at is not None:
        return redirect(
            f"{_base(firm)}/{company.id}", flash=_("Restaura la empresa para cambiar sus contactos."), kind="error"
        )
    try:
        contact = await services.add_contact(db, firm.tenant_id, actor_of(firm.user), company, values)
    except services.CompanyInvalid as exc:
        context = {**await _detail_context(db, firm, company), "contact_values": values}
        raise FormError("companies/detail.html", context, exc.errors) from exc
    return redirect(
        f"{_base(firm)}/{company.id}#contacts", flash=_("Contacto {name} añadido.").format(name=contact.name)
    )


@post("/w/{slug:str}/companies/{company_id:uuid}/contacts/{contact_id:uuid}/remove", opt={"access": "consultant"})
async def remove_contact(db: DB, firm: Firm, company_id: FromPath[UUID], contact_id: FromPath[UUID]) -> Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    contact = await services.remove_contact(db, firm.tenant_id, actor_of(firm.user), company, contact_id)
    return redirect(
        f"{_base(firm)}/{company.id}#contacts", flash=_("Contacto {name} retirado.").format(name=contact.name)
    )


# --- archive / restore ------------------------------------------------------------------------


@get("/w/{slug:str}/companies/{company_id:uuid}/archive", opt={"access": "partner"})
async def archive_page(db: DB, firm: Firm, company_id: FromPath[UUID]) -> Template:
    """The confirmation step (works without JavaScript)."""
    company = await services.get_company(db, firm.tenant_id, company_id)
    return Template("companies/archive.html", context={"company": company})


@post("/w/{slug:str}/companies/{company_id:uuid}/archive", opt={"access": "partner"})
async def archive(db: DB, firm: Firm, company_id: FromPath[UUID]) -> Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    await services.archive_company(db, firm.tenant_id, actor_of(firm.user), company)
    return redirect(f"{_base(firm)}/{company.id}", flash=_("Empresa archivada. Puedes restaurarla cuando quieras."))


@post("/w/{slug:str}/companies/{company_id:uuid}/restore", opt={"access": "partner"})
async def restore(request: Request[Any, Any, Any], db: DB, firm: Firm, company_id: FromPath[UUID]) -> Redirect:
    company = await services.get_company(db, firm.tenant_id, company_id)
    try:
        await services.restore_company(
            db, firm.tenant_id, actor_of(firm.user), company, settings=request.app.state.settings
        )
    except services.CompanyInvalid as exc:
        message = exc.errors.get("__all__") or ""
        return redirect(f"{_base(firm)}/{company.id}", flash=message, kind="error")
    return redirect(f"{_base(firm)}/{company.id}", flash=_("Empresa restaurada."))


# --- CSV import ---------------------------------------------------------------------------------


def _form_token() -> str:
    """A one-time token in the import form: a second submission of the same form is the same import."""
    return secrets.token_urlsafe(16)


@get("/w/{slug:str}/companies/import", opt={"access": "consultant"})
async def import_page(firm: Firm) -> Template:
    return Template(
        "companies/import.html",
        context={"errors": FormErrors(), "columns": csv_import.COLUMNS, "form_token": _form_token(), **_choices()},
    )


@get("/w/{slug:str}/companies/import/template.csv", opt={"access": "consultant"}, media_type="text/csv")
async def import_template(firm: Firm) -> Response[str]:
    body = (
        ",".join(csv_import.COLUMNS)
        + "\r\nComercial Andina SAC,20100047218,PE,G,46,pequena,25,Ana Quispe,ana@example.pe\r\n"
    )
    return Response(
        "\ufeff" + body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="empresas.csv"'},
    )


@post("/w/{slug:str}/companies/import", opt={"access": "consultant"})
async def import_upload(db: DB, firm: Firm, data: Multipart) -> Redirect:
    upload = data.get("file")
    token = str(data.get("form_token", ""))
    if not FORM_TOKEN.fullmatch(token):
        token = ""
    # A refused upload keeps its token: the form was not used up.
    context = {"columns": csv_import.COLUMNS, "form_token": token or _form_token(), **_choices()}
    errors = FormErrors()
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", _("Elige un archivo CSV."))
        raise FormError("companies/import.html", context, errors, status_code=400)
    raw = await upload.read(csv_import.MAX_BYTES + 1)
    try:
        text, parsed = csv_import.read_upload(raw)
    except csv_import.CsvInvalid as exc:
        errors.add("file", exc.message)
        status = 413 if len(raw) > csv_import.MAX_BYTES else 400
        raise FormError("companies/import.html", context, errors, status_code=status) from exc
    sha256 = hashlib.sha256(raw).hexdigest()
    earlier = await services.earlier_import(db, firm.tenant_id, kind=IMPORT_KIND, form_token=token, sha256=sha256)
    if earlier is not None:
        return redirect(
            f"/w/{firm.tenant.slug}/jobs/{earlier}",
            kind="info",
            flash=_(
                "Este archivo ya se está importando (se envió dos veces): no se importará de nuevo. Aquí ves su progreso."
            ),
        )
    row = await progress.start(
        db,
        firm.tenant_id,
        kind=IMPORT_KIND,
        owner_key=f"user:{firm.user.id}",
        total=len(parsed.rows),
        job_input={
            "csv": text,
            "filename": upload.filename[:200],
            "actor_id": str(firm.user.id),
            "actor_label": firm.user.email,
        },
    )
    # Kept after the input is dropped, to recognise a repeated submission.
    progress.update(row, submission={"form_token": token, "sha256": sha256})
    outbox.enqueue(db, IMPORT_KIND, firm.tenant_id, row.id)
    return redirect(f"/w/{firm.tenant.slug}/jobs/{row.id}")


ROUTES = [
    list_page,
    new_page,
    create,
    import_page,
    import_template,
    import_upload,
    detail_page,
    edit_page,
    update,
    add_contact,
    remove_contact,
    archive_page,
    archive,
    restore,
]
