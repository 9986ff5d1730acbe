"""Client companies and their contacts: validation at the edge, look-ups that take the firm,
and an audit record for every change. Pages, the JSON API and the CSV import share these."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from babel import Locale
from sqlalchemy import ColumnElement, Select, column, exists, func, literal_column, or_, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.pe import ruc as pe_ruc

from ordena.accounts.services import normalize_email
from ordena.assessments import latest
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.billing import limits
from ordena.companies import ciiu, counts
from ordena.companies.models import SIZE_BANDS, Company, Contact
from ordena.db.driver import driver
from ordena.jobs import progress
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _, get_locale, pgettext, sentence, use_locale
from ordena.lib.pagination import Page, clamp_page
from ordena.settings import Settings

FIELDS = ("name", "ruc", "country", "industry_section", "industry_division", "size_band", "employees")
CONTACT_FIELDS = ("name", "email", "position")
MAX_EMPLOYEES = 10_000_000
# Codes Babel lists as territories that are not countries (regions, unions, test codes).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
_TAX_ID = re.compile(r"^[A-Za-z0-9]{1,11}$")


class CompanyInvalid(Exception):
    """The input broke a rule; ``errors`` maps each field to a translated message."""

    def __init__(self, errors: FormErrors) -> None:
        super().__init__(f"invalid company: {sorted(errors.fields)}")
        self.errors = errors


# --- labels and choices ---------------------------------------------------------------------


def size_band_label(band: str | None) -> str:
    return _size_band_labels(get_locale()).get(band or "", band or "")


@cache
def _size_band_labels(locale: str) -> dict[str, str]:
    with use_locale(locale):  # once per language: list pages show one per row
        return {
            "micro": _("Micro"),
            "pequena": _("Pequeña"),
            "mediana": pgettext("tamaño de empresa", "Mediana"),
            "grande": _("Grande"),
        }


def size_band_options() -> list[tuple[str, str]]:
    return [(b, size_band_label(b)) for b in SIZE_BANDS]


def size_band_help() -> str:
    return _(
        "Según ventas anuales (Perú): micro hasta 150 UIT; pequeña hasta 1 700 UIT; mediana hasta 2 300 UIT; grande, más de 2 300 UIT."
    )


@cache
def _countries(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_name(code: str | None) -> str:
    return _countries(get_locale()).get(code or "", code or "")


def _sort_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def country_code(text: str) -> str:
    """An ISO code from a code or a country's name in Spanish or English ("Perú" → "PE")."""
    if len(text) <= 2:
        return text.upper()
    wanted = _sort_key(text)
    for locale in ("es", "en"):
        for code, name in _countries(locale).items():
            if _sort_key(name) == wanted:
                return code
    return text.upper()


def country_options() -> list[tuple[str, str]]:
    """Peru first (the home market), then every country by its name in the user's language."""
    return _country_options(get_locale())


@cache
def _country_options(locale: str) -> list[tuple[str, str]]:
    names = _countries(locale)
    rest = sorted((c for c in names if c != "PE"), key=lambda c: _sort_key(names[c]))
    return [(c, names[c]) for c in ["PE", *rest]]


# --- validation -----------------------------------------------------------------------------


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value).strip()


def clean_company(values: Mapping[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    """The rules that need no database: returns normalized values and the errors found."""
    errors = FormErrors()
    name = " ".join(_text(values, "name").split())
    if not name:
        errors.add("name", _("Escribe el nombre de la empresa."))
    elif len(name) > 200:
        errors.add("name", _("El nombre admite hasta 200 caracteres."))

    country = country_code(_text(values, "country")) or "PE"
    if country not in _countries("en"):
        errors.add("country", _("Elige un país de la lista."))

    ruc: str | None = _text(values, "ruc") or None
    if ruc is not None:
        if country == "PE":
            ruc = pe_ruc.compact(re.sub(r"[\s.\-]", "", ruc))
            try:
                pe_ruc.validate(ruc)
            except InvalidLength:
                errors.add("ruc", _("El RUC tiene 11 dígitos."))
            except InvalidFormat:
                errors.add("ruc", _("El RUC solo lleva números (11 dígitos)."))
            except InvalidComponent:
                errors.add("ruc", _("El RUC debe empezar por 10, 15, 17 o 20."))
            except InvalidChecksum:
                errors.add("ruc", _("El RUC no es válido: revisa el dígito verificador."))
        else:
            ruc = re.sub(r"[\s.\-]", "", ruc)
            if not _TAX_ID.match(ruc):
                errors.add("ruc", _("El identificador fiscal admite hasta 11 letras o números."))

    section = _text(values, "industry_section").upper()
    if section not in ciiu.SECTIONS:
        errors.add("industry_section", _("Elige una sección CIIU (A–U)."))
    division: str | None = _text(values, "industry_division") or None
    if division is not None:
        if division.isdigit() and len(division) == 1:
            division = "0" + division
        owner = ciiu.DIVISION_SECTION.get(division)
        if owner is None:
            errors.add(
                "industry_division", _("La división CIIU son dos dígitos entre 01 y 99 que existan en la Rev. 4.")
            )
        elif section in ciiu.SECTIONS and owner != section:
            errors.add(
                "industry_division",
                _("La división {division} pertenece a la sección {owner}, no a la {section}.").format(
                    division=division, owner=owner, section=section
                ),
            )

    size_band = _text(values, "size_band").lower()
    size_band = {"pequeña": "pequena", "pequena": "pequena"}.get(size_band, size_band)
    if size_band not in SIZE_BANDS:
        errors.add("size_band", _("Elige un tamaño: micro, pequeña, mediana o grande."))

    employees: int | None = None
    raw_employees = _text(values, "employees").replace(",", "").replace(" ", "")
    if raw_employees:
        try:
            employees = int(raw_employees)
        except ValueError:
            errors.add("employees", _("Escribe un número entero de trabajadores."))
        else:
            if employees < 0:
                errors.add("employees", _("El número de trabajadores no puede ser negativo."))
            elif employees > MAX_EMPLOYEES:
                errors.add("employees", _("Revisa el número de trabajadores."))

    cleaned = {
        "name": name,
        "ruc": ruc,
        "country": country,
        "industry_section": section,
        "industry_division": division,
        "size_band": size_band,
        "employees": employees,
    }
    return cleaned, errors


async def _ruc_taken_by(db: AsyncSession, tenant_id: UUID, ruc: str, exclude: UUID | None) -> Company | None:
    stmt = select(Company).where(Company.tenant_id == tenant_id, Company.ruc == ruc)
    if exclude is not None:
        stmt = stmt.where(Company.id != exclude)
    found: Company | None = await db.scalar(stmt.limit(1))
    return found


async def validate_company(
    db: AsyncSession, tenant_id: UUID, values: Mapping[str, Any], *, company_id: UUID | None = None
) -> dict[str, Any]:
    """Every rule, including a RUC already used by another company of the same firm
    (archived ones count: the RUC stays unique). Raises :class:`CompanyInvalid`."""
    cleaned, errors = clean_company(values)
    if cleaned["ruc"] and "ruc" not in errors.fields:
        other = await _ruc_taken_by(db, tenant_id, cleaned["ruc"], company_id)
        if other is not None:
            errors.add("ruc", sentence(_("Ya tienes una empresa con este RUC: {name}."), name=other.name))
    if errors:
        raise CompanyInvalid(errors)
    return cleaned


# --- look-ups -------------------------------------------------------------------------------


async def get_company(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> Company:
    """The firm's company, or 404 (another firm's id looks exactly like a missing one)."""
    company = await db.scalar(select(Company).where(Company.tenant_id == tenant_id, Company.id == company_id))
    if company is None:
        raise NotFound()
    return company


async def count_companies(db: AsyncSession, tenant_id: UUID, *, include_archived: bool = False) -> int:
    stmt = select(func.count()).select_from(Company).where(Company.tenant_id == tenant_id)
    if not include_archived:
        stmt = stmt.where(Company.archived_at.is_(None))
    return int(await db.scalar(stmt) or 0)


SORTS = ("name", "-name", "created", "-created")
# Spanish order for names (Ñ after N, accents beside their letter, case ignored): PostgreSQL's
# ICU collation where the server was built with ICU (Debian's, the official images). Without
# it (the embedded pgserver of development and tests) the same order comes from a key: lower
# case, accents dropped, ñ as "n{" ("{" sorts right after "z" byte-wise, so Ñ lands after N, before O).
SPANISH_COLLATION = "es-x-icu"
# Both cases: a database whose character type is C lower-cases ASCII letters only.
_ACCENTED = "áàâäãéèêëíìîïóòôöõúùûüçÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÇÑ"
_PLAIN = "aaaaaeeeeiiiiooooouuuucaaaaaeeeeiiiiooooouuuucñ"
_HAS_SPANISH = exists().where(table("pg_collation", column("collname")).c.collname == SPANISH_COLLATION)


def _spanish_name(spanish_collation: bool) -> ColumnElement[Any]:
    if spanish_collation:
        return Company.name.collate(SPANISH_COLLATION)
    # Constants as literals, not parameters: the expression must equal the one indexed by
    # migration 0008 (ix_company_name_es) for the list to read its first page off the index.
    return func.replace(
        func.lower(func.translate(Company.name, literal_column(f"'{_ACCENTED}'"), literal_column(f"'{_PLAIN}'"))),
        literal_column("'ñ'"),
        literal_column("'n{'"),
    )


def _order(sort: str, spanish_collation: bool) -> tuple[ColumnElement[Any], ...]:
    name = _spanish_name(spanish_collation)
    return {
        "name": (name.asc(), Company.id.asc()),
        "-name": (name.desc(), Company.id.desc()),
        "created": (Company.created_at.asc(), Company.id.asc()),
        "-created": (Company.created_at.desc(), Company.id.desc()),
    }[sort]


# Whether the server has the Spanish collation: asked once per process (it does not change
# while the server runs), so the list pays no catalogue look-up per request.
_SERVER_HAS_SPANISH: dict[str, bool] = {}


async def _count_and_collation(db: AsyncSession, stmt: Select[tuple[Company]]) -> tuple[int, bool]:
    """The filtered count and whether the server has the Spanish collation."""
    known = _SERVER_HAS_SPANISH.get("es")
    if known is None:
        row = (await db.execute(select(func.count(), _HAS_SPANISH).select_from(stmt.subquery()))).one()
        _SERVER_HAS_SPANISH["es"] = bool(row[1])
        return int(row[0] or 0), bool(row[1])
    return int(await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0), known


STATUSES = ("active", "archived", "all")


@dataclass
class CompanyFilters:
    q: str = ""
    section: str = ""
    size_band: str = ""
    status: str = "active"
    sort: str = "name"

    @classmethod
    def of(
        cls,
        q: str | None = None,
        section: str | None = None,
        size_band: str | None = None,
        status: str | None = None,
        sort: str | None = None,
    ) -> CompanyFilters:
        return cls(
            q=(q or "").strip()[:100],
            section=(section or "").upper() if (section or "").upper() in ciiu.SECTIONS else "",
            size_band=size_band if size_band in SIZE_BANDS else "",
            status=status if status in STATUSES else "active",
            sort=sort if sort in SORTS else "name",
        )


class CompanyPage(Page[Company]):
    @property
    def companies(self) -> list[Company]:
        return self.items


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(tenant_id: UUID, f: CompanyFilters) -> Select[tuple[Company]]:
    stmt = select(Company).where(Company.tenant_id == tenant_id)
    if f.q:
        pattern = f"%{_escape_like(f.q)}%"
        digits = re.sub(r"[\s.\-]", "", f.q)
        conditions = [Company.name.ilike(pattern, escape="\\")]
        if digits.isdigit():  # a RUC (or its beginning) typed with or without separators
            conditions.append(Company.ruc.like(f"{digits}%"))
        stmt = stmt.where(or_(*conditions))
    if f.section:
        stmt = stmt.where(Company.industry_section == f.section)
    if f.size_band:
        stmt = stmt.where(Company.size_band == f.size_band)
    if f.status == "active":
        stmt = stmt.where(Company.archived_at.is_(None))
    elif f.status == "archived":
        stmt = stmt.where(Company.archived_at.is_not(None))
    return stmt


async def search_companies(
    db: AsyncSession, tenant_id: UUID, filters: CompanyFilters, *, page: int = 1, per_page: int = 25
) -> CompanyPage:
    stmt = _filtered(tenant_id, filters)
    total, spanish = await _count_and_collation(db, stmt)
    page = clamp_page(page, total, per_page)
    rows = await db.scalars(stmt.order_by(*_order(filters.sort, spanish)).offset((page - 1) * per_page).limit(per_page))
    return CompanyPage(list(rows.all()), total, page, per_page)


async def list_companies(
    db: AsyncSession, tenant_id: UUID, filters: CompanyFilters, *, limit: int, offset: int
) -> tuple[list[Company], int]:
    """The API's slice (limit/offset instead of pages)."""
    stmt = _filtered(tenant_id, filters)
    total, spanish = await _count_and_collation(db, stmt)
    rows = await db.scalars(stmt.order_by(*_order(filters.sort, spanish)).offset(offset).limit(limit))
    return list(rows.all()), total


# --- changes --------------------------------------------------------------------------------


async def _ensure_room(db: AsyncSession, settings: Settings | None, tenant_id: UUID) -> None:
    """The firm's plan must have room for one more active company (billing on only)."""
    if settings is None or not settings.billing_enabled:
        return
    try:
        await limits.ensure_room(db, settings, tenant_id, "companies", await count_companies(db, tenant_id))
    except limits.LimitReached as exc:
        errors = FormErrors()
        errors.add("__all__", exc.message)
        raise CompanyInvalid(errors) from exc


async def create_company(
    db: AsyncSession, tenant_id: UUID, actor: Actor, values: Mapping[str, Any], *, settings: Settings | None = None
) -> Company:
    """``settings``: the installation's, to apply the plan's limit (callers acting for a user)."""
    cleaned = await validate_company(db, tenant_id, values)
    await _ensure_room(db, settings, tenant_id)
    company = Company(tenant_id=tenant_id, **cleaned)
    db.add(company)
    await db.flush()
    await counts.add(await driver(db), tenant_id, active=1)  # the list's and dashboard's count
    AuditTrail(db, tenant_id, actor)("create", "company", company.id, after=snapshot(company, FIELDS))
    return company


async def update_company(
    db: AsyncSession, tenant_id: UUID, actor: Actor, company: Company, values: Mapping[str, Any]
) -> Company:
    """``values`` may be partial (the API's PATCH): missing fields keep their current value."""
    current = {f: getattr(company, f) for f in FIELDS}
    merged = {**current, **{k: v for k, v in values.items() if k in FIELDS}}
    cleaned = await validate_company(db, tenant_id, merged, company_id=company.id)
    before = snapshot(company, FIELDS)
    for key, value in cleaned.items():
        setattr(company, key, value)
    after = snapshot(company, FIELDS)
    if after != before:
        changed = [k for k in FIELDS if before[k] != after[k]]
        AuditTrail(db, tenant_id, actor)(
            "update",
            "company",
            company.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    await db.flush()
    return company


async def archive_company(db: AsyncSession, tenant_id: UUID, actor: Actor, company: Company) -> None:
    if company.archived_at is not None:
        return
    # The dashboard's portfolio sums, the firm's company counts and its publications per day
    # count active companies only (``assessments.latest`` moves the company between them).
    await latest.company_archived(await driver(db), tenant_id, company.id)
    company.archived_at = now()
    AuditTrail(db, tenant_id, actor)(
        "archive", "company", company.id, before={"archived_at": None}, after=snapshot(company, ["archived_at"])
    )


async def restore_company(
    db: AsyncSession, tenant_id: UUID, actor: Actor, company: Company, *, settings: Settings | None = None
) -> None:
    if company.archived_at is None:
        return
    await _ensure_room(db, settings, tenant_id)
    before = snapshot(company, ["archived_at"])
    company.archived_at = None
    await db.flush()
    await latest.company_restored(await driver(db), tenant_id, company.id)
    AuditTrail(db, tenant_id, actor)("restore", "company", company.id, before=before, after={"archived_at": None})


# --- contacts -------------------------------------------------------------------------------


async def list_contacts(db: AsyncSession, tenant_id: UUID, company_id: UUID) -> list[Contact]:
    rows = await db.scalars(
        select(Contact)
        .where(Contact.tenant_id == tenant_id, Contact.company_id == company_id)
        .order_by(Contact.name, Contact.id)
    )
    return list(rows.all())


async def active_company_names(db: AsyncSession, tenant_id: UUID) -> list[tuple[UUID, str]]:
    """(id, name) of the firm's companies that are not archived, by name (filters, pickers)."""
    stmt = (
        select(Company.id, Company.name)
        .where(Company.tenant_id == tenant_id, Company.archived_at.is_(None))
        .order_by(Company.name)
    )
    return [(i, n) for i, n in (await db.execute(stmt)).all()]


async def contacts_by_ids(
    db: AsyncSession, tenant_id: UUID, company_id: UUID, contact_ids: list[UUID]
) -> list[Contact]:
    """These contacts of the company (ids of another company or firm are simply not found)."""
    stmt = select(Contact).where(
        Contact.tenant_id == tenant_id, Contact.company_id == company_id, Contact.id.in_(contact_ids)
    )
    return list((await db.scalars(stmt)).all())


_SET_ADDRESS = text("SELECT set_config('app.address', :address, true)")


async def contacts_by_address(db: AsyncSession, email: str) -> list[tuple[UUID, UUID, UUID]]:
    """(firm, company, contact) of every contact with this address, in every firm, newest first.

    The contact table's policy lets a transaction read the rows of the one address it sets
    (``rls.ADDRESS_PREDICATE``); the setting is cleared again before anything else runs, and only
    ids leave this function (no contact object of another firm stays in the session)."""
    address = email.strip().lower()
    if not address:
        return []
    await db.execute(_SET_ADDRESS, {"address": address})
    try:
        rows = await db.execute(
            select(Contact.tenant_id, Contact.company_id, Contact.id)
            .where(func.lower(Contact.email) == address)
            .order_by(Contact.created_at.desc())
            .limit(50)
        )
        return [(t, c, i) for t, c, i in rows.all()]
    finally:
        await db.execute(_SET_ADDRESS, {"address": ""})


async def get_contact(db: AsyncSession, tenant_id: UUID, company_id: UUID, contact_id: UUID) -> Contact:
    contact = await db.scalar(
        select(Contact).where(
            Contact.tenant_id == tenant_id, Contact.company_id == company_id, Contact.id == contact_id
        )
    )
    if contact is None:
        raise NotFound()
    return contact


def clean_contact(values: Mapping[str, Any]) -> tuple[dict[str, str], FormErrors]:
    errors = FormErrors()
    name = " ".join(_text(values, "name").split())
    if not name:
        errors.add("name", _("Escribe el nombre del contacto."))
    elif len(name) > 200:
        errors.add("name", _("El nombre admite hasta 200 caracteres."))
    raw_email = _text(values, "email")
    email = ""
    if not raw_email:
        errors.add("email", _("Escribe el correo del contacto."))
    else:
        email = normalize_email(raw_email, errors, "email")
    position = " ".join(_text(values, "position").split())
    if len(position) > 200:
        errors.add("position", _("El cargo admite hasta 200 caracteres."))
    return {"name": name, "email": email, "position": position}, errors


async def add_contact(
    db: AsyncSession, tenant_id: UUID, actor: Actor, company: Company, values: Mapping[str, Any]
) -> Contact:
    cleaned, errors = clean_contact(values)
    if "email" not in errors.fields:
        taken = await db.scalar(
            select(Contact.id).where(
                Contact.tenant_id == tenant_id,
                Contact.company_id == company.id,
                func.lower(Contact.email) == cleaned["email"],
            )
        )
        if taken is not None:
            errors.add("email", _("Esta empresa ya tiene un contacto con ese correo."))
    if errors:
        raise CompanyInvalid(errors)
    contact = Contact(tenant_id=tenant_id, company_id=company.id, **cleaned)
    db.add(contact)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("create", "contact", contact.id, after={"company_id": str(company.id), **cleaned})
    return contact


async def remove_contact(
    db: AsyncSession, tenant_id: UUID, actor: Actor, company: Company, contact_id: UUID
) -> Contact:
    contact = await get_contact(db, tenant_id, company.id, contact_id)
    AuditTrail(db, tenant_id, actor)(
        "delete", "contact", contact.id, before={"company_id": str(company.id), **snapshot(contact, CONTACT_FIELDS)}
    )
    await db.delete(contact)
    await db.flush()
    return contact


# --- CSV import: one import per submission ----------------------------------------------------

IMPORT_REPEAT_WINDOW = dt.timedelta(minutes=10)


async def earlier_import(db: AsyncSession, tenant_id: UUID, *, kind: str, form_token: str, sha256: str) -> UUID | None:
    """The import job that this upload repeats, if any: the same form sent twice (double click,
    resubmission; whatever that job's state), or an identical file (same SHA-256) still pending
    or running for the firm, started less than 10 minutes ago.

    Takes a per-firm transaction lock first, so that two simultaneous submissions are decided one
    after the other (the second sees the first's job once the first commits)."""
    await db.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{kind}:{tenant_id}", 0))))
    return await progress.repeated_submission(
        db, tenant_id, kind=kind, form_token=form_token, sha256=sha256, within=IMPORT_REPEAT_WINDOW
    )
