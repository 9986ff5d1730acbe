"""Shapes of the companies JSON API (msgspec structs, documented by the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType


class ContactOut(msgspec.Struct):
    id: UUID
    name: str
    email: str
    position: str


class CompanyOut(msgspec.Struct):
    id: UUID
    name: str
    ruc: str | None
    country: str
    industry_section: str
    industry_section_name: str
    industry_division: str | None
    size_band: str
    employees: int | None
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyDetail(CompanyOut):
    contacts: list[ContactOut] = msgspec.field(default_factory=list)


class CompanyList(msgspec.Struct):
    items: list[CompanyOut]
    total: int
    limit: int
    offset: int


class CompanyCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new client company. Rules: ``name`` required; ``ruc`` (11 digits with a valid check
    digit when ``country`` is PE) unique in the firm; ``industry_section`` A–U;
    ``industry_division`` a CIIU Rev.4 division of that section; ``size_band`` one of micro,
    pequena, mediana, grande; ``employees`` ≥ 0."""

    name: str | None = None
    ruc: str | None = None
    country: str = "PE"
    industry_section: str | None = None
    industry_division: str | None = None
    size_band: str | None = None
    employees: int | None = None


class CompanyPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``null`` clears an optional field."""

    name: str | UnsetType = UNSET
    ruc: str | UnsetType | None = UNSET
    country: str | UnsetType = UNSET
    industry_section: str | UnsetType = UNSET
    industry_division: str | UnsetType | None = UNSET
    size_band: str | UnsetType = UNSET
    employees: int | UnsetType | None = UNSET

    def changes(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.__struct_fields__ if getattr(self, f) is not UNSET}


class ValidationErrors(msgspec.Struct):
    """422: a message per field, in the caller's language."""

    status: int
    errors: dict[str, str]
