"""The network area reaches no firm's data: with no tenant set (as in every network request)
each tenant table reads as empty, and no page, export or API body of the area carries a
company's name, RUC or contact, or a non-member firm's name."""

from __future__ import annotations

import io
import random
from typing import Any

import openpyxl
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.accounts import api_tokens
from ordena.audit.services import Actor
from ordena.companies import services as companies
from ordena.db.base import metadata, tenant_owned_tables
from ordena.db.engine import Database
from ordena.demo.content import ruc_for
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.networks.test_area import EXPORTS, PAGES, network_routes
from tests.network_helpers import insert_test_release, join_network, make_network
from tests.rowgen import insert_row

COMPANY = "Zapatería Distintiva Q7X S.A.C."
CONTACT = "Wilfredo Quispe-Q7X"
CONTACT_EMAIL = "gerencia.q7x@zapateria-q7x.example.com"
OUTSIDER = "Firma Ajena Q7X"


async def test_with_no_tenant_set_every_tenant_table_reads_empty(database: Database, owner_engine: AsyncEngine) -> None:
    net = await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER,))
    await join_network(database, firm.tenant, net.network)
    tables = tenant_owned_tables()
    async with owner_engine.begin() as conn:
        for table in tables:
            await insert_row(conn, metadata.tables[table], firm.id)
    async with owner_engine.connect() as conn:  # the rows exist
        for table in tables:
            assert (await conn.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one() >= 1, table
    # The network admin's requests run as the app role with no firm entered.
    async with database.session() as db:
        for table in tables:
            seen = (await db.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one()
            assert seen == 0, f"{table}: {seen} rows visible with no tenant set"


async def _distinctive_firm_data(database: Database, tenant_id: Any) -> str:
    ruc = ruc_for(random.Random(7), set())
    async with database.session(tenant_id=tenant_id) as db:
        actor = Actor(None, "test")
        company = await companies.create_company(
            db,
            tenant_id,
            actor,
            {"name": COMPANY, "ruc": ruc, "country": "PE", "industry_section": "C", "size_band": "micro"},
        )
        await companies.add_contact(db, tenant_id, actor, company, {"name": CONTACT, "email": CONTACT_EMAIL})
        await db.commit()
    return ruc


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)


async def test_no_network_page_export_or_api_body_names_a_company_or_an_outside_firm(
    app: Litestar, client: Any, database: Database
) -> None:
    net = await make_network(database)
    member = await make_firm(database, roles=(Role.OWNER,), name="Estudio Miembro Q7X")
    outsider = await make_firm(database, roles=(Role.OWNER,), name=OUTSIDER)
    await join_network(database, member.tenant, net.network)
    ruc = await _distinctive_firm_data(database, member.id)
    await _distinctive_firm_data(database, outsider.id)
    await insert_test_release(database, net.network)
    async with database.session() as db:
        secret, _ = await api_tokens.create(db, net.admin.id, "api")
        await db.commit()
    forbidden = (COMPANY, "Zapatería", ruc, CONTACT, CONTACT_EMAIL, OUTSIDER, outsider.slug, member.slug)

    await client.login(net.admin.email, PASSWORD)
    bodies: dict[str, str] = {}
    for path in PAGES:
        bodies[path] = (await client.get(f"/n/{net.slug}{path}")).text
    for path in EXPORTS:
        response = await client.get(f"/n/{net.slug}{path}")
        assert response.status_code == 200
        bodies[path] = _xlsx_text(response.content) if "xlsx" in path else response.content.decode("utf-8-sig")
    api = await client.client.get(
        f"/api/v1/n/{net.slug}/releases/latest", headers={"authorization": f"Bearer {secret}"}
    )
    bodies["api"] = api.text
    gets = {p for p, m in network_routes(app) if m == "GET"}
    assert len(gets) >= 8
    for where, body in bodies.items():
        for needle in forbidden:
            assert needle not in body, f"{where} shows {needle!r}"
    # The consent list names member firms (and only them).
    assert "Estudio Miembro Q7X" in bodies["/firms"]
