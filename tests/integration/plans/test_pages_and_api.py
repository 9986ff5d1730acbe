"""The plan pages, the JSON API and the CSV export, with another firm's ids answering 404."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from ordena.accounts import api_tokens
from ordena.companies.models import Company, Contact
from ordena.db.engine import Database
from ordena.plans.lookups import get_initiative, list_initiatives
from ordena.plans.models import Initiative
from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.plans.helpers import PlanWorld, generated, validated_assessment


async def _bearer(database: Database, user_id: Any) -> dict[str, str]:
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, user_id, "api")
        await db.commit()
    return {"authorization": f"Bearer {secret}"}


async def _first(database: Database, world: PlanWorld, plan_id: Any) -> Initiative:
    async with database.session(tenant_id=world.tenant_id) as db:
        return (await list_initiatives(db, world.tenant_id, plan_id))[0]


async def test_consultant_generates_the_plan_from_the_overview_filters_it_and_edits_an_initiative(
    client: Any, database: Database
) -> None:
    world = await validated_assessment(database)
    await client.login(world.firm.email(Role.CONSULTANT), PASSWORD)
    overview = await client.get(f"/w/{world.firm.slug}/assessments/{world.assessment_id}")
    assert "Generar plan de mejora" in overview.text
    made = await client.post(f"/w/{world.firm.slug}/assessments/{world.assessment_id}/plan", {})
    assert made.status_code == 303
    plan_url = made.headers["location"]
    page = await client.get(plan_url)
    assert page.status_code == 200
    async with database.session(tenant_id=world.tenant_id) as db:
        plan_id = await db.scalar(select(Initiative.plan_id).where(Initiative.tenant_id == world.tenant_id))
        titles = [i.title for i in await list_initiatives(db, world.tenant_id, plan_id)]
    assert titles and all(t in page.text for t in titles)
    assert "Sin datos" in page.text and "Administración" in page.text
    filtered = await client.get(plan_url + "?dimension=ventas&status=pending")
    assert filtered.status_code == 200
    async with database.session(tenant_id=world.tenant_id) as db:
        ventas = [i.title for i in await list_initiatives(db, world.tenant_id, plan_id) if i.dimension_key == "ventas"]
        other = (await list_initiatives(db, world.tenant_id, plan_id))[0]
    assert all(t in filtered.text for t in ventas) and other.title not in filtered.text
    form = await client.get(f"{plan_url}/initiatives/{other.id}")
    assert form.status_code == 200 and 'name="depends_on"' in form.text
    bad = await client.post(
        f"{plan_url}/initiatives/{other.id}",
        {
            "title": "Nuevo título",
            "dimension_key": other.dimension_key,
            "priority": "1",
            "status": "blocked",
            "progress": "0",
            "start_on": "2026-03-01",
            "due_on": "2026-01-01",
        },
    )
    assert bad.status_code == 422
    assert "Explica qué bloquea la iniciativa." in bad.text and "anterior a la de inicio" in bad.text
    assert 'value="Nuevo título"' in bad.text  # what was typed is kept
    ok = await client.post(
        f"{plan_url}/initiatives/{other.id}",
        {
            "title": "Nuevo título",
            "dimension_key": other.dimension_key,
            "priority": "1",
            "status": "in_progress",
            "progress": "30",
            "owner": f"contact:{world.contact_id}",
        },
    )
    assert ok.status_code == 303
    async with database.session(tenant_id=world.tenant_id) as db:
        saved = await get_initiative(db, world.tenant_id, other.id)
    assert (saved.title, saved.progress, saved.owner_contact_id) == ("Nuevo título", 30, world.contact_id)
    removal = await client.get(f"{plan_url}/initiatives/{other.id}/delete")
    assert removal.status_code == 200 and "No se puede deshacer" in removal.text
    assert (await client.post(f"{plan_url}/initiatives/{other.id}/delete", {})).status_code == 303


async def test_english_messages_and_a_draft_assessment_gets_a_clear_refusal(client: Any, database: Database) -> None:
    world = await validated_assessment(database, status="in_progress")
    await client.login(world.firm.email(Role.CONSULTANT), PASSWORD)
    client.client.cookies.set("ordena_lang", "en", domain="ordena.test", path="/")
    refused = await client.post(f"/w/{world.firm.slug}/assessments/{world.assessment_id}/plan", {})
    assert refused.status_code == 409
    assert "validated or published" in refused.text


async def test_the_csv_has_a_bom_and_neutralises_formulas(client: Any, database: Database) -> None:
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    first = await _first(database, world, plan_id)
    async with database.session(tenant_id=world.tenant_id) as db:
        i = await get_initiative(db, world.tenant_id, first.id)
        i.title = '=HYPERLINK("http://evil.example")'
        i.kpi_baseline = -5  # type: ignore[assignment]
        await db.commit()
    await client.login(world.firm.email(Role.VIEWER), PASSWORD)
    response = await client.get(f"/w/{world.firm.slug}/plans/{plan_id}.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Prioridad" and len(rows) == 11
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")' and rows[1][10] == "-5"


async def test_the_api_generates_reads_and_patches_a_plan(client: Any, database: Database) -> None:
    world = await validated_assessment(database)
    h = await _bearer(database, world.firm.users[Role.CONSULTANT].id)
    api = client.client
    created = await api.post(f"/api/v1/w/{world.firm.slug}/assessments/{world.assessment_id}/plan", headers=h)
    assert created.status_code == 201, created.text
    plan = created.json()
    again = await api.post(f"/api/v1/w/{world.firm.slug}/assessments/{world.assessment_id}/plan", headers=h)
    assert again.status_code == 200 and len(again.json()["initiatives"]) == len(plan["initiatives"])
    read = (await api.get(f"/api/v1/w/{world.firm.slug}/plans/{plan['id']}", headers=h)).json()
    first = read["initiatives"][0]
    assert [i["priority"] for i in read["initiatives"]] == sorted(i["priority"] for i in read["initiatives"])
    assert (first["dimension_key"], first["from_level"], first["to_level"]) == ("relacion_comercial", 1, 2)
    assert first["question_keys"] and first["status"] == "pending" and "gestion_cuentas" in plan["no_data"]
    url = f"/api/v1/w/{world.firm.slug}/plans/{plan['id']}/initiatives/{first['id']}"
    patched = await api.patch(url, json={"status": "done"}, headers=h)
    assert patched.status_code == 200 and patched.json()["progress"] == 100
    bad = await api.patch(url, json={"status": "blocked", "due_on": "2026-01-01", "start_on": "2026-02-01"}, headers=h)
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"blocked_reason", "due_on"}


async def test_an_owner_contact_of_another_company_is_refused_by_the_api(client: Any, database: Database) -> None:
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    first = await _first(database, world, plan_id)
    async with database.session(tenant_id=world.tenant_id) as db:
        other = Company(tenant_id=world.tenant_id, name="Otra S.A.C.", industry_section="G", size_band="micro")
        db.add(other)
        await db.flush()
        stranger = Contact(tenant_id=world.tenant_id, company_id=other.id, name="Ajeno", email="ajeno2@example.com")
        db.add(stranger)
        await db.commit()
    h = await _bearer(database, world.firm.users[Role.CONSULTANT].id)
    url = f"/api/v1/w/{world.firm.slug}/plans/{plan_id}/initiatives/{first.id}"
    refused = await client.client.patch(url, json={"owner": f"contact:{stranger.id}"}, headers=h)
    assert refused.status_code == 422 and "owner" in refused.json()["errors"]


async def test_another_firms_plan_and_initiatives_are_404_on_every_page_and_endpoint(
    client: Any, database: Database
) -> None:
    theirs = await validated_assessment(database)
    plan_id = await generated(database, theirs)
    their_initiative = await _first(database, theirs, plan_id)
    mine = await validated_assessment(database)
    my_plan = await generated(database, mine)
    await client.login(mine.firm.email(Role.OWNER), PASSWORD)
    slug = mine.firm.slug
    base = f"/w/{slug}/plans/{plan_id}"
    for path in (
        base,
        f"{base}.csv",
        f"{base}/initiatives/new",
        f"{base}/initiatives/{their_initiative.id}",
        f"{base}/initiatives/{their_initiative.id}/delete",
        f"/w/{slug}/plans/{my_plan}/initiatives/{their_initiative.id}",
    ):
        assert (await client.get(path)).status_code == 404, path
    for path in (
        f"/w/{slug}/assessments/{theirs.assessment_id}/plan",
        f"{base}/initiatives",
        f"{base}/initiatives/{their_initiative.id}",
        f"{base}/initiatives/{their_initiative.id}/comments",
        f"{base}/initiatives/{their_initiative.id}/move",
        f"{base}/initiatives/{their_initiative.id}/delete",
        f"/w/{slug}/plans/{my_plan}/initiatives/{their_initiative.id}/delete",
    ):
        assert (await client.post(path, {"title": "x", "body": "x", "direction": "up"})).status_code == 404, path
    h = await _bearer(database, mine.firm.users[Role.OWNER].id)
    api = client.client
    for method, path, body in (
        ("POST", f"/api/v1/w/{slug}/assessments/{theirs.assessment_id}/plan", None),
        ("GET", f"/api/v1/w/{slug}/plans/{plan_id}", None),
        ("PATCH", f"/api/v1/w/{slug}/plans/{plan_id}/initiatives/{their_initiative.id}", {"progress": 10}),
        ("PATCH", f"/api/v1/w/{slug}/plans/{my_plan}/initiatives/{their_initiative.id}", {"progress": 10}),
    ):
        r = await api.request(method, path, json=body, headers=h)
        assert r.status_code == 404, (method, path, r.status_code)
    async with database.session(tenant_id=theirs.tenant_id) as db:
        untouched = await get_initiative(db, theirs.tenant_id, their_initiative.id)
    assert untouched.progress == 0 and untouched.title == their_initiative.title
