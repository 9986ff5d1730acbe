"""Client companies on the firm's pages: register, validate, find, edit, archive, contacts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ordena.assessments.models import ResultSnapshot
from ordena.audit.models import AuditEvent
from ordena.audit.services import Actor
from ordena.companies import services
from ordena.companies.models import Company, Contact
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.companies.helpers import add_company, company_ids, valid_ruc
from tests.integration.results.helpers import make_assessment

FORM = {
    "name": "Comercial Andina SAC",
    "ruc": "20100047218",
    "country": "PE",
    "industry_section": "G",
    "industry_division": "46",
    "size_band": "pequena",
    "employees": "25",
}


async def _login(
    client: Any, database: Any, role: Role = Role.CONSULTANT, roles: tuple[Role, ...] | None = None
) -> Any:
    firm = await make_firm(database, roles=roles or (role,))
    await client.login(firm.email(role), PASSWORD)
    return firm


async def _companies(database: Any, firm: Any) -> list[Company]:
    async with database.session(tenant_id=firm.id) as db:
        return list(
            (await db.scalars(select(Company).where(Company.tenant_id == firm.id).order_by(Company.name))).all()
        )


async def test_a_consultant_registers_a_company_with_a_valid_ruc_and_finds_it_in_the_list(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    assert (await client.get(f"/w/{firm.slug}/companies/new")).status_code == 200
    response = await client.post(f"/w/{firm.slug}/companies", FORM)
    assert response.status_code == 303, response.text[:500]
    detail = await client.get(response.headers["location"])
    assert "Comercial Andina SAC" in detail.text and "20100047218" in detail.text
    assert "Comercio al por mayor" in detail.text  # CIIU section G by name
    listing = await client.get(f"/w/{firm.slug}/companies")
    assert "Comercial Andina SAC" in listing.text
    [company] = await _companies(database, firm)
    assert (company.ruc, company.industry_division, company.employees, company.size_band) == (
        "20100047218",
        "46",
        25,
        "pequena",
    )
    async with database.session(tenant_id=firm.id) as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_id == str(company.id))
        )
    assert event is not None and event.action == "create" and event.after["ruc"] == "20100047218"  # type: ignore[index]


async def test_a_ruc_with_a_wrong_check_digit_is_refused_next_to_the_field_and_the_values_stay(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    await client.get(f"/w/{firm.slug}/companies/new")
    response = await client.post(f"/w/{firm.slug}/companies", {**FORM, "ruc": "20100047219"})
    assert response.status_code == 422
    assert 'id="e-ruc"' in response.text and "dígito verificador" in response.text
    assert 'value="Comercial Andina SAC"' in response.text and 'value="20100047219"' in response.text
    for bad in ("2010004721", "2010004721A", "30100047218"):
        response = await client.post(f"/w/{firm.slug}/companies", {**FORM, "ruc": bad})
        assert response.status_code == 422 and 'id="e-ruc"' in response.text, bad
    assert await _companies(database, firm) == []


async def test_a_ruc_with_spaces_or_dashes_is_stored_as_eleven_digits(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    await client.get(f"/w/{firm.slug}/companies/new")
    response = await client.post(f"/w/{firm.slug}/companies", {**FORM, "ruc": "20-100047218 "})
    assert response.status_code == 303
    [company] = await _companies(database, firm)
    assert company.ruc == "20100047218"


async def test_the_same_ruc_twice_in_one_firm_is_refused_but_another_firm_may_serve_that_company(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    other = await make_firm(database, roles=(Role.OWNER,))
    await add_company(database, other.id, name="La misma, en otra firma", ruc="20100047218")
    await client.get(f"/w/{firm.slug}/companies/new")
    assert (await client.post(f"/w/{firm.slug}/companies", FORM)).status_code == 303
    again = await client.post(f"/w/{firm.slug}/companies", {**FORM, "name": "Otra razón social"})
    assert again.status_code == 422
    assert 'id="e-ruc"' in again.text and "Comercial Andina SAC" in again.text
    assert len(await _companies(database, firm)) == 1


async def test_each_wrong_field_gets_its_own_message(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    await client.get(f"/w/{firm.slug}/companies/new")
    response = await client.post(
        f"/w/{firm.slug}/companies",
        {
            "name": " ",
            "ruc": "",
            "country": "XX",
            "industry_section": "Z",
            "industry_division": "",
            "size_band": "enorme",
            "employees": "-3",
        },
    )
    assert response.status_code == 422
    for field in ("name", "country", "industry_section", "size_band", "employees"):
        assert f'id="e-{field}"' in response.text, field


async def test_a_division_must_belong_to_the_chosen_section(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    await client.get(f"/w/{firm.slug}/companies/new")
    response = await client.post(
        f"/w/{firm.slug}/companies", {**FORM, "industry_section": "C", "industry_division": "62"}
    )
    assert response.status_code == 422
    assert 'id="e-industry_division"' in response.text and "sección J" in response.text
    unused = await client.post(f"/w/{firm.slug}/companies", {**FORM, "industry_division": "04"})
    assert unused.status_code == 422 and 'id="e-industry_division"' in unused.text


async def test_the_form_explains_the_size_bands_in_uit(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    page = await client.get(f"/w/{firm.slug}/companies/new")
    assert "150 UIT" in page.text and "1 700 UIT" in page.text and "2 300 UIT" in page.text
    assert '<option value="PE" selected>Perú</option>' in page.text


async def test_a_company_outside_peru_needs_no_ruc_check_digit(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    await client.get(f"/w/{firm.slug}/companies/new")
    response = await client.post(f"/w/{firm.slug}/companies", {**FORM, "country": "CO", "ruc": "9001234567"})
    assert response.status_code == 303
    [company] = await _companies(database, firm)
    assert company.country == "CO"


async def test_a_viewer_reads_companies_but_cannot_create_edit_or_archive_them(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    company = await add_company(database, firm.id, name="Solo lectura SA")
    listing = await client.get(f"/w/{firm.slug}/companies")
    assert listing.status_code == 200 and "Solo lectura SA" in listing.text
    assert "/companies/new" not in listing.text
    detail = await client.get(f"/w/{firm.slug}/companies/{company.id}")
    assert detail.status_code == 200 and "/edit" not in detail.text and "/archive" not in detail.text
    assert (await client.get(f"/w/{firm.slug}/companies/new")).status_code == 403
    assert (await client.post(f"/w/{firm.slug}/companies", FORM)).status_code == 403
    assert (await client.post(f"/w/{firm.slug}/companies/{company.id}/edit", FORM)).status_code == 403
    assert (await client.post(f"/w/{firm.slug}/companies/{company.id}/archive", {})).status_code == 403
    assert (
        await client.post(f"/w/{firm.slug}/companies/{company.id}/contacts", {"name": "X", "email": "x@example.pe"})
    ).status_code == 403
    assert [c.name for c in await _companies(database, firm)] == ["Solo lectura SA"]


async def test_a_consultant_edits_a_company_and_the_change_is_audited(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    company = await add_company(database, firm.id, name="Antes SAC", employees=10)
    edit = await client.get(f"/w/{firm.slug}/companies/{company.id}/edit")
    assert 'value="Antes SAC"' in edit.text
    bad = await client.post(
        f"/w/{firm.slug}/companies/{company.id}/edit", {**FORM, "name": "Después SAC", "employees": "muchos"}
    )
    assert bad.status_code == 422 and 'id="e-employees"' in bad.text and 'value="Después SAC"' in bad.text
    ok = await client.post(
        f"/w/{firm.slug}/companies/{company.id}/edit", {**FORM, "name": "Después SAC", "employees": "12"}
    )
    assert ok.status_code == 303
    [saved] = await _companies(database, firm)
    assert (saved.name, saved.employees) == ("Después SAC", 12)
    async with database.session(tenant_id=firm.id) as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.entity_id == str(company.id), AuditEvent.action == "update")
        )
    assert event is not None
    assert event.before["name"] == "Antes SAC" and event.after["name"] == "Después SAC"  # type: ignore[index]


async def test_the_list_searches_by_name_or_ruc_and_filters_by_section_size_and_status(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    await add_company(
        database, firm.id, name="Minera del Sur", industry_section="B", size_band="grande", ruc=valid_ruc("2055512345")
    )
    await add_company(database, firm.id, name="Panadería Lucía", industry_section="C", size_band="micro")
    await add_company(
        database,
        firm.id,
        name="Software Andino",
        industry_section="J",
        industry_division="62",
        size_band="mediana",
        ruc=valid_ruc("2060098765"),
    )
    base = f"/w/{firm.slug}/companies"
    by_name = await client.get(base, params={"q": "andino"})
    assert "Software Andino" in by_name.text and "Minera del Sur" not in by_name.text
    by_ruc = await client.get(base, params={"q": "205551"})
    assert "Minera del Sur" in by_ruc.text and "Software Andino" not in by_ruc.text
    by_section = await client.get(base, params={"section": "C"})
    assert "Panadería Lucía" in by_section.text and "Minera del Sur" not in by_section.text
    by_size = await client.get(base, params={"size": "grande"})
    assert "Minera del Sur" in by_size.text and "Panadería Lucía" not in by_size.text
    nothing = await client.get(base, params={"q": "zzz-nada"})
    assert nothing.status_code == 200 and "Ninguna empresa coincide" in nothing.text
    wildcard = await client.get(base, params={"q": "%"})
    assert "Minera del Sur" not in wildcard.text  # a % typed by the user is a character, not a wildcard


async def test_the_list_sorts_by_name_or_creation_date(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    for name in ("Beta", "Alfa", "Gamma"):
        await add_company(database, firm.id, name=name)
    base = f"/w/{firm.slug}/companies"

    def order(html: str) -> list[str]:
        return sorted(("Alfa", "Beta", "Gamma"), key=html.index)

    assert order((await client.get(base)).text) == ["Alfa", "Beta", "Gamma"]
    assert order((await client.get(base, params={"sort": "-name"})).text) == ["Gamma", "Beta", "Alfa"]
    assert order((await client.get(base, params={"sort": "created"})).text) == ["Beta", "Alfa", "Gamma"]
    assert order((await client.get(base, params={"sort": "-created"})).text) == ["Gamma", "Alfa", "Beta"]


async def test_the_list_shows_25_companies_per_page(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    for i in range(30):
        await add_company(database, firm.id, name=f"Empresa {i:02d}")
    base = f"/w/{firm.slug}/companies"
    first = await client.get(base)
    assert len(company_ids(first.text)) == 25 and "Página 1 de 2" in first.text and 'rel="next"' in first.text
    second = await client.get(base, params={"page": 2})
    assert len(company_ids(second.text)) == 5 and "Empresa 29" in second.text


async def test_a_firm_without_companies_is_invited_to_register_the_first_one(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    page = await client.get(f"/w/{firm.slug}/companies")
    assert "Aún no tienes empresas cliente" in page.text
    assert (
        f'href="/w/{firm.slug}/companies/new"' in page.text and f'href="/w/{firm.slug}/companies/import"' in page.text
    )


async def test_live_search_with_htmx_returns_only_the_results(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    await add_company(database, firm.id, name="Textil Arequipa")
    response = await client.get(f"/w/{firm.slug}/companies", params={"q": "textil"}, headers={"hx-request": "true"})
    assert response.status_code == 200
    assert (
        "<html" not in response.text and 'id="company-results"' in response.text and "Textil Arequipa" in response.text
    )


async def test_a_partner_archives_a_company_after_confirming_and_restores_it(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.PARTNER)
    company = await add_company(database, firm.id, name="Archivable SAC")
    base = f"/w/{firm.slug}/companies"
    confirm = await client.get(f"{base}/{company.id}/archive")
    assert confirm.status_code == 200 and "¿Archivar «Archivable SAC»?" in confirm.text
    assert (await client.post(f"{base}/{company.id}/archive", {})).status_code == 303
    assert "Archivable SAC" not in (await client.get(base)).text
    assert "Archivable SAC" in (await client.get(base, params={"status": "archived"})).text
    detail = await client.get(f"{base}/{company.id}")
    assert "Empresa archivada" in detail.text and "/restore" in detail.text
    assert (
        await client.get(f"{base}/{company.id}/edit", follow_redirects=False)
    ).status_code == 303  # archived: read-only
    assert (await client.post(f"{base}/{company.id}/restore", {})).status_code == 303
    assert "Archivable SAC" in (await client.get(base)).text
    async with database.session(tenant_id=firm.id) as db:
        actions = (
            await db.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_id == str(company.id)).order_by(AuditEvent.created_at)
            )
        ).all()
    assert list(actions) == ["create", "archive", "restore"]


async def test_a_consultant_cannot_archive(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    company = await add_company(database, firm.id)
    assert (await client.get(f"/w/{firm.slug}/companies/{company.id}/archive")).status_code == 403
    assert (await client.post(f"/w/{firm.slug}/companies/{company.id}/archive", {})).status_code == 403


async def test_a_consultant_adds_and_removes_contacts_with_a_checked_email(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    company = await add_company(database, firm.id, name="Con Contactos SA")
    base = f"/w/{firm.slug}/companies/{company.id}"
    await client.get(base)
    bad = await client.post(f"{base}/contacts", {"name": "Ana Quispe", "email": "ana@", "position": "Gerente"})
    assert bad.status_code == 422 and 'id="e-email"' in bad.text and 'value="Ana Quispe"' in bad.text
    ok = await client.post(f"{base}/contacts", {"name": "Ana Quispe", "email": "Ana@Example.pe", "position": "Gerente"})
    assert ok.status_code == 303
    twice = await client.post(f"{base}/contacts", {"name": "Ana Q.", "email": "ana@example.pe"})
    assert twice.status_code == 422 and 'id="e-email"' in twice.text
    detail = await client.get(base)
    assert "ana@example.pe" in detail.text and "Gerente" in detail.text and "data-confirm" in detail.text
    async with database.session(tenant_id=firm.id) as db:
        [contact] = (await db.scalars(select(Contact).where(Contact.company_id == company.id))).all()
    assert (await client.post(f"{base}/contacts/{contact.id}/remove", {})).status_code == 303
    assert "ana@example.pe" not in (await client.get(base)).text


async def test_the_detail_page_has_an_assessments_section(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    company = await add_company(database, firm.id)
    page = await client.get(f"/w/{firm.slug}/companies/{company.id}")
    assert "Evaluaciones" in page.text and "aún no tiene evaluaciones" in page.text


async def test_the_menu_and_the_dashboard_show_the_companies(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    await add_company(database, firm.id, name="Una")
    archived = await add_company(database, firm.id, name="Otra")
    async with database.session(tenant_id=firm.id) as db:
        row = await db.get(Company, (firm.id, archived.id))
        assert row is not None
        await services.archive_company(db, firm.id, Actor(None, "test"), row)
        await db.commit()
    home = await client.get(f"/w/{firm.slug}")
    assert f'href="/w/{firm.slug}/companies"' in home.text and ">Empresas<" in home.text
    # One active company (the archived one is not counted), labelled in the singular.
    assert re.search(
        r'<span class="stat-value">1</span>\s*<a class="stat-label" href="[^"]+">empresa cliente activa</a>', home.text
    )


async def test_another_firms_company_is_404_on_every_company_page(client: Any, database: Any) -> None:
    mine = await _login(client, database, Role.OWNER)
    theirs = await make_firm(database, roles=(Role.OWNER,))
    own = await add_company(database, mine.id, name="Mía")
    foreign = await add_company(database, theirs.id, name="Ajena Secreta SAC", ruc="20100047218")
    async with database.session(tenant_id=theirs.id) as db:
        contact = Contact(tenant_id=theirs.id, company_id=foreign.id, name="Secreto", email="s@example.pe")
        db.add(contact)
        await db.commit()
    base = f"/w/{mine.slug}/companies"
    await client.get(base)
    gets = ["", "/edit", "/archive"]
    posts = {
        "/edit": FORM,
        "/archive": {},
        "/restore": {},
        "/contacts": {"name": "X", "email": "x@example.pe"},
        f"/contacts/{contact.id}/remove": {},
    }
    for suffix in gets:
        response = await client.get(f"{base}/{foreign.id}{suffix}")
        assert response.status_code == 404, suffix
        assert "Ajena Secreta" not in response.text
    for suffix, data in posts.items():
        response = await client.post(f"{base}/{foreign.id}{suffix}", data)
        assert response.status_code == 404, suffix
    # Their contact through my own company: still 404.
    assert (await client.post(f"{base}/{own.id}/contacts/{contact.id}/remove", {})).status_code == 404
    async with database.session(tenant_id=theirs.id) as db:
        still = await db.get(Company, (theirs.id, foreign.id))
        assert still is not None and still.name == "Ajena Secreta SAC" and still.archived_at is None
        assert await db.get(Contact, (theirs.id, contact.id)) is not None
    # My list never shows it, even searching its RUC.
    assert "Ajena Secreta" not in (await client.get(base, params={"q": "20100047218", "status": "all"})).text


async def test_sorting_by_name_follows_spanish_order_with_enye_after_n(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    names = ("Oro Verde", "Ñandú Textil", "árbol Seco", "Nube Alta", "Zeta", "Ángulo")
    for name in names:
        await add_company(database, firm.id, name=name)
    base = f"/w/{firm.slug}/companies"
    expected = ["Ángulo", "árbol Seco", "Nube Alta", "Ñandú Textil", "Oro Verde", "Zeta"]
    html = (await client.get(base)).text
    assert sorted(names, key=html.index) == expected
    html = (await client.get(base, params={"sort": "-name"})).text
    assert sorted(names, key=html.index) == expected[::-1]


async def test_a_page_beyond_the_last_shows_the_last_and_a_non_numeric_page_the_first(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    for i in range(30):
        await add_company(database, firm.id, name=f"Empresa {i:02d}")
    base = f"/w/{firm.slug}/companies"
    beyond = await client.get(base, params={"page": "7"})
    assert beyond.status_code == 200 and "Página 2 de 2" in beyond.text
    assert len(company_ids(beyond.text)) == 5 and "Empresa 29" in beyond.text
    for junk in ("abc", "-3", "2.5", "", "99999999999999999999"):
        response = await client.get(base, params={"page": junk})
        assert response.status_code == 200, junk
        assert "Página 1 de 2" in response.text and "Empresa 00" in response.text, junk


async def test_ciiu_divisions_are_listed_and_shown_with_their_names(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    form = await client.get(f"/w/{firm.slug}/companies/new")
    assert ">46 · Comercio al por mayor, excepto el de vehículos automotores y motocicletas</option>" in form.text
    assert re.search(r'<input id="f-ruc"[^>]*autocomplete="off"', form.text)
    response = await client.post(f"/w/{firm.slug}/companies", FORM)
    detail = await client.get(response.headers["location"])
    assert "46 · Comercio al por mayor, excepto el de vehículos automotores y motocicletas" in detail.text
    client.cookies.set("ordena_lang", "en")
    english = await client.get(f"/w/{firm.slug}/companies/new")
    assert ">62 · Computer programming, consultancy and related activities</option>" in english.text


async def test_the_company_page_shows_its_latest_published_result_with_its_level(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    made = await make_assessment(
        database, firm.id, kind="consultant", status="published", consultant={"ventas.pipeline": 4}, title="Diag 2025"
    )
    async with database.session(tenant_id=firm.id) as db:
        db.add(ResultSnapshot(tenant_id=firm.id, assessment_id=made.assessment_id, overall=Decimal("3.40"), data={}))
        await db.commit()
    page = await client.get(f"/w/{firm.slug}/companies/{made.company_id}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="latest-result"') : page.text.index('id="contacts"')]
    assert "3.40" in section and "Nivel 4 · Medido" in section and "Diag 2025" in section, section
    assert f"/assessments/{made.assessment_id}/results" in section
    empty = await add_company(database, firm.id, name="Sin Resultados")
    assert "Aún no hay resultados publicados" in (await client.get(f"/w/{firm.slug}/companies/{empty.id}")).text
