"""The owner reads the audit log as sentences about people and things: names instead of ids and
addresses, links to what changed, field: before → after in their language; a consultant's
autosaves as one line per respondent, dimension and hour; and the whole log as a CSV file."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import func, select

from ordena.audit.models import AuditEvent
from ordena.audit.services import Actor, AuditFilters, AuditTrail, event_batches
from ordena.companies.models import Company
from ordena.lib.safe_csv import safe_text as safe_cell
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.assessments.helpers import htmx, login, make_world, new_assessment, tree_of


async def _renamed_company(database: Any, firm: Any, old: str, new: str) -> Company:
    """A company renamed by the firm's owner, with the audit line the service writes."""
    owner = firm.users[Role.OWNER]
    async with database.session(tenant_id=firm.id) as db:
        company = Company(tenant_id=firm.id, name=new, industry_section="C", size_band="mediana")
        db.add(company)
        await db.flush()
        AuditTrail(db, firm.id, Actor(owner.id, owner.email))(
            "update", "company", company.id, before={"name": old, "employees": 40}, after={"name": new, "employees": 55}
        )
        await db.commit()
    return company


async def test_the_owner_reads_who_changed_which_company_and_how_with_names_and_links(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    owner = firm.users[Role.OWNER]
    company = await _renamed_company(database, firm, "Textiles Viejos SAC", "Textiles Andinos SAC")
    await client.login(owner.email, PASSWORD)

    page = await client.get(f"/w/{firm.slug}/audit?entity=company")
    assert page.status_code == 200
    assert owner.name in page.text  # the person, not only the address
    assert f'<a href="/w/{firm.slug}/companies/{company.id}">Textiles Andinos SAC</a>' in page.text
    assert re.search(
        r"Nombre:</span> <span class=\"before\">Textiles Viejos SAC</span> → Textiles Andinos SAC", page.text
    )
    assert re.search(r"Trabajadores:</span> <span class=\"before\">40</span> → 55", page.text)
    assert '"employees"' not in page.text and "{&#34;" not in page.text  # no raw JSON

    client.cookies.set("ordena_lang", "en")
    english = await client.get(f"/w/{firm.slug}/audit?entity=company")
    assert "Employees:</span>" in english.text and "Textiles Andinos SAC" in english.text


async def test_a_consultants_autosaves_fold_into_one_line_per_dimension_and_stay_in_the_log(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    first, second = tree.dimensions[0], tree.dimensions[1]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{first.key}")
    saves = [(q, level) for q in first.questions[:3] for level in ("2", "3")] + [(second.questions[0], "4")]
    for q, level in saves:
        response = await client.post(
            f"/w/{world.slug}/assessments/{a.id}/answers",
            {"question_id": str(q.id), f"level_{q.id}": level},
            headers=htmx(client),
        )
        assert response.status_code == 200
    async with database.session(tenant_id=world.tenant_id) as db:
        stored = await db.scalar(
            select(func.count()).where(AuditEvent.tenant_id == world.tenant_id, AuditEvent.action == "answer")
        )
    assert stored == len(saves)  # every autosave is kept

    await client.post("/logout", {})
    client.csrf = None
    await login(client, world, Role.OWNER)
    folded = await client.get(f"/w/{world.slug}/audit?action=answer")
    consultant = world.firm.users[Role.CONSULTANT].name
    assert folded.text.count("<tr>") == 1 + 2  # the header, then one line per dimension
    assert '<span class="badge">×6</span>' in folded.text
    assert "6 guardados · 3 preguntas" in folded.text and "1 guardado · 1 pregunta" not in folded.text
    assert consultant in folded.text
    assert f'<a href="/w/{world.slug}/assessments/{a.id}">' in folded.text

    raw = await client.get(f"/w/{world.slug}/audit?action=answer&raw=true")
    assert raw.text.count("<tr>") == 1 + len(saves)
    assert "×6" not in raw.text
    assert "Pregunta:</span>" in raw.text and "Nivel:</span>" in raw.text


async def test_the_owner_exports_the_filtered_log_as_csv_that_excel_opens_safely(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.PARTNER))
    await _renamed_company(database, firm, "Ferretería Sur", '=HYPERLINK("http://evil.example","clic")')
    await _renamed_company(database, firm, "Minera Norte", "+Minera")
    owner = firm.users[Role.OWNER]
    async with database.session(tenant_id=firm.id) as db:
        AuditTrail(db, firm.id, Actor(owner.id, owner.email))("update", "firm", firm.id, after={"name": "Otra"})
        await db.commit()
    await client.login(owner.email, PASSWORD)

    response = await client.get(f"/w/{firm.slug}/audit.csv?entity=company")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel in Spanish reads the accents right
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Fecha", "Usuario", "Registrado como"]
    assert len(rows) == 1 + 2  # the firm's rename is filtered out
    entities = {row[5] for row in rows[1:]}
    assert entities == {'\'=HYPERLINK("http://evil.example","clic")', "'+Minera"}
    assert all(row[1] == owner.name for row in rows[1:])
    assert any(row[7].startswith("Nombre: Ferretería Sur → =HYPERLINK") for row in rows)

    await client.post("/logout", {})
    client.csrf = None
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    assert (await client.get(f"/w/{firm.slug}/audit.csv")).status_code == 403


async def test_another_firms_owner_cannot_export_the_log(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    await _renamed_company(database, firm, "Secreta SAC", "Muy Secreta SAC")
    await client.login(other.email(Role.OWNER), PASSWORD)
    response = await client.get(f"/w/{firm.slug}/audit.csv")
    assert response.status_code == 404
    assert "Secreta" not in response.text


def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() -> None:
    for dangerous in ("=1+1", "+51 999", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Textiles Andinos") == "Textiles Andinos"
    assert safe_cell("") == ""
    assert safe_cell("-2") == "-2"  # a plain negative number runs nothing


async def test_the_export_reads_every_event_once_in_batches_newest_first(database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    async with database.session(tenant_id=firm.id) as db:
        audit = AuditTrail(db, firm.id, Actor(None, "ordena"))
        for n in range(5):
            audit("update", "firm", firm.id, after={"name": f"Nombre {n}"})
        await db.commit()
    async with database.session(tenant_id=firm.id) as db:
        batches = [b async for b in event_batches(db, firm.id, AuditFilters(entity_type="firm"), size=2)]
    assert [len(b) for b in batches] == [2, 2, 1]
    events = [e for b in batches for e in b]
    assert len({e.id for e in events}) == 5
    assert [e.created_at for e in events] == sorted((e.created_at for e in events), reverse=True)
