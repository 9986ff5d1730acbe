"""Full-width digits and bidi controls in names and file names are folded away (issue 14,
item 7): "ＲＵＣ２０…" searched and sorted apart from "RUC20…", and "factura\u202efdp.exe" reads
as "factura exe.pdf"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ordena.assessments.models import EvidenceRevision
from ordena.companies.models import Company
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.assessments.helpers import login, make_world, new_assessment, tree_of
from tests.integration.assessments.test_evidence import PDF, _upload


async def test_a_company_named_with_full_width_digits_and_a_bidi_override_is_stored_plainly(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get(f"/w/{firm.slug}/companies/new")
    form = {
        "name": "Ｃｏｍｅｒｃｉａｌ\u202e Andina　２０２６",
        "ruc": "２０１０００４７２１８",
        "country": "PE",
        "industry_section": "G",
        "industry_division": "46",
        "size_band": "pequena",
        "employees": "25",
    }
    response = await client.post(f"/w/{firm.slug}/companies", form)
    assert response.status_code == 303, response.text[:300]
    async with database.session(tenant_id=firm.id) as db:
        company = await db.scalar(select(Company).where(Company.tenant_id == firm.id))
    assert company is not None and company.name == "Comercial Andina 2026"


async def test_an_evidence_file_name_with_a_bidi_override_is_stored_without_it(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    url = f"/w/{world.slug}/assessments/{a.id}/evidence"
    assert (await _upload(client, url, q.id, "factura\u202efdp.pdf", PDF)).status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        rev = await db.scalar(select(EvidenceRevision).where(EvidenceRevision.tenant_id == world.tenant_id))
    assert rev is not None and rev.filename == "facturafdp.pdf"
