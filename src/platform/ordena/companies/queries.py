"""The companies domain's hand-written SQL (docs/CONVENTIONS.md, "The request's database work"):
the firm's company list, page and API (benchmarked: ``companies``, ``api_companies``; loading ORM
objects for 25–50 rows that are only displayed was most of the page's Python work).

Two statements, as the ORM path had: the count, then one page of plain rows in the list's order,
read off ``ix_company_name_es`` (migration 0010) for the name orders. Unfiltered (the status
aside), the count is the firm's maintained one (``companies.counts``), so the page's cost does not
grow with the firm's portfolio; a search or filter counts its matches."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg

from ordena.companies import counts
from ordena.companies.models import Company
from ordena.lib.pagination import Page, clamp_page

if TYPE_CHECKING:  # the filters are the services' (no import cycle at run time)
    from ordena.companies.services import CompanyFilters

SPANISH_COLLATION = "es-x-icu"
# The fallback sort key: the same expression migration 0010 indexes (constants as literals).
_ACCENTED = "áàâäãéèêëíìîïóòôöõúùûüçÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÇÑ"
_PLAIN = "aaaaaeeeeiiiiooooouuuucaaaaaeeeeiiiiooooouuuucñ"
_NAME_KEYS = {
    True: f'name COLLATE "{SPANISH_COLLATION}"',
    False: f"replace(lower(translate(name, '{_ACCENTED}', '{_PLAIN}')), 'ñ', 'n{{')",
}
_ORDERS = {
    "name": "{name} ASC, id ASC",
    "-name": "{name} DESC, id DESC",
    "created": "created_at ASC, id ASC",
    "-created": "created_at DESC, id DESC",
}
_TABLE = Company.__tablename__
_COLUMNS = (
    "id, name, ruc, country, industry_section, industry_division, size_band, employees, archived_at, "
    "created_at, updated_at"
)
_HAS_SPANISH = "SELECT EXISTS (SELECT FROM pg_collation WHERE collname = $1)"


@dataclass(frozen=True, slots=True)
class CompanyRow:
    """A company as the list shows it (page and API)."""

    id: UUID
    name: str
    ruc: str | None
    country: str
    industry_section: str
    industry_division: str | None
    size_band: str
    employees: int | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyRows(Page[CompanyRow]):
    @property
    def companies(self) -> list[CompanyRow]:
        return self.items


# Whether the server has the Spanish collation: asked once per process (it does not change
# while the server runs), so the list pays no catalogue look-up per request.
_SERVER_HAS_SPANISH: dict[str, bool] = {}


async def _spanish(con: asyncpg.Connection) -> bool:
    known = _SERVER_HAS_SPANISH.get("es")
    if known is None:
        known = _SERVER_HAS_SPANISH["es"] = bool(await con.fetchval(_HAS_SPANISH, SPANISH_COLLATION))
    return known


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(tenant_id: UUID, f: CompanyFilters) -> tuple[str, list[Any]]:
    """The filters as SQL, the same conditions as ``services._filtered`` (values by position)."""
    args: list[Any] = [tenant_id]
    conditions = ["tenant_id = $1"]
    if f.q:
        args.append(f"%{_escape_like(f.q)}%")
        match = f"name ILIKE ${len(args)} ESCAPE '\\'"
        digits = re.sub(r"[\s.\-]", "", f.q)
        if digits.isdigit():  # a RUC (or its beginning) typed with or without separators
            args.append(f"{digits}%")
            match = f"({match} OR ruc LIKE ${len(args)})"
        conditions.append(match)
    if f.section:
        args.append(f.section)
        conditions.append(f"industry_section = ${len(args)}")
    if f.size_band:
        args.append(f.size_band)
        conditions.append(f"size_band = ${len(args)}")
    if f.status == "active":
        conditions.append("archived_at IS NULL")
    elif f.status == "archived":
        conditions.append("archived_at IS NOT NULL")
    return " AND ".join(conditions), args


async def _rows(
    con: asyncpg.Connection, where: str, args: list[Any], sort: str, limit: int, offset: int
) -> list[CompanyRow]:
    order = _ORDERS[sort].format(name=_NAME_KEYS[await _spanish(con)])
    n = len(args)
    sql = f"SELECT {_COLUMNS} FROM {_TABLE} WHERE {where} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}"
    return [CompanyRow(*r) for r in await con.fetch(sql, *args, limit, offset)]


async def _count(con: asyncpg.Connection, where: str, args: list[Any], f: CompanyFilters) -> int:
    """How many match: without a search or a filter but the status, the firm's maintained counts
    (``companies.counts``: the first page costs the same at 100 or 10,000 companies); with one,
    counted (a bounded query the user asked for)."""
    if not (f.q or f.section or f.size_band):
        active, archived = await counts.read(con, args[0])
        return {"active": active, "archived": archived}.get(f.status, active + archived)
    return int(await con.fetchval(f"SELECT count(*) FROM {_TABLE} WHERE {where}", *args) or 0)


async def company_page(
    con: asyncpg.Connection, tenant_id: UUID, f: CompanyFilters, *, page: int = 1, per_page: int = 25
) -> CompanyRows:
    """One page of the firm's companies matching ``f`` (the page clamped to the last one)."""
    where, args = _where(tenant_id, f)
    total = await _count(con, where, args, f)
    page = clamp_page(page, total, per_page)
    return CompanyRows(await _rows(con, where, args, f.sort, per_page, (page - 1) * per_page), total, page, per_page)


async def company_slice(
    con: asyncpg.Connection, tenant_id: UUID, f: CompanyFilters, *, limit: int, offset: int
) -> tuple[list[CompanyRow], int]:
    """The API's slice (limit/offset instead of pages) and the count of every match."""
    where, args = _where(tenant_id, f)
    total = await _count(con, where, args, f)
    return await _rows(con, where, args, f.sort, limit, offset), total


async def has_companies(con: asyncpg.Connection, tenant_id: UUID) -> bool:
    """Whether the firm has any company at all, archived ones included (the list's empty state)."""
    return bool(await con.fetchval(f"SELECT EXISTS (SELECT FROM {_TABLE} WHERE tenant_id = $1)", tenant_id))


@dataclass(frozen=True, slots=True)
class CompanyName:
    """What a page about one of the company's assessments shows of it: its link and its name."""

    id: UUID
    name: str


async def company_name(con: asyncpg.Connection, tenant_id: UUID, company_id: UUID) -> CompanyName | None:
    row = await con.fetchrow(f"SELECT id, name FROM {_TABLE} WHERE tenant_id = $1 AND id = $2", tenant_id, company_id)
    return CompanyName(row["id"], row["name"]) if row is not None else None
