"""Shared set-up for the companies tests: companies made through the same service as the pages."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from stdnum.pe import ruc as pe_ruc

from ordena.audit.services import Actor
from ordena.companies import services
from ordena.companies.models import Company

UUID_LINK = re.compile(r'/companies/([0-9a-f-]{36})"')


def valid_ruc(body: str) -> str:
    """A RUC with a correct check digit from its first ten digits (e.g. "2010004721")."""
    return body + pe_ruc.calc_check_digit(body)


async def add_company(database: Any, tenant_id: UUID, **values: Any) -> Company:
    data = {"name": "Empresa", "industry_section": "G", "size_band": "pequena", **values}
    async with database.session(tenant_id=tenant_id) as db:
        company = await services.create_company(db, tenant_id, Actor(None, "test"), data)
        await db.commit()
    return company


def company_ids(html: str) -> list[str]:
    return UUID_LINK.findall(html)
