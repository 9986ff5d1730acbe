"""The closed loop: a re-assessment against its baseline and the baseline's plan, every figure
worked out by hand below."""

from __future__ import annotations

import datetime as dt

from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.plans.helpers_views import Item, make_plan, published_with_scores

BASELINE = {"ventas": "2.00", "atencion_cliente": "1.50", "administracion": "3.50", "cumplimiento": "2.40"}
NEW = {"ventas": "3.25", "atencion_cliente": "2.50", "administracion": "3.00", "cumplimiento": "2.40"}
TARGETS = {"ventas": 3, "atencion_cliente": 3, "administracion": 3, "cumplimiento": 4}


async def _two_assessments(database: Database) -> tuple[object, object, object]:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    base = await published_with_scores(
        database, firm.id, BASELINE, title="Diagnóstico 2024", published_at=now() - dt.timedelta(days=300)
    )
    await make_plan(
        database,
        firm.id,
        base,
        [
            Item("Embudo de ventas", "ventas", "done"),
            Item("Política de precios", "ventas", "done"),
            Item("Canal único de atención", "atencion_cliente", "done"),
            Item("Encuesta de satisfacción", "atencion_cliente", "pending"),
            Item("Cierre mensual", "administracion", "in_progress", progress=40),
            Item("Matriz de cumplimiento", "cumplimiento", "done"),
        ],
    )
    new = await published_with_scores(
        database,
        firm.id,
        NEW,
        title="Diagnóstico 2025",
        company_id=base.company_id,
        baseline_id=base.id,
        targets=TARGETS,
    )
    return firm, base, new


async def test_progress_api_gives_each_dimensions_move_its_completed_initiatives_and_the_attainment_rate(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm, base, new = await _two_assessments(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    r = await client.get(f"/api/v1/w/{firm.slug}/assessments/{new.id}/progress")
    assert r.status_code == 200, r.text
    doc = r.json()
    dims = {d["key"]: d for d in doc["dimensions"]}
    # ventas: 2.00 → 3.25 = +1.25, target 3 reached, two initiatives done.
    assert (dims["ventas"]["baseline"], dims["ventas"]["score"], dims["ventas"]["change"]) == ("2.00", "3.25", "1.25")
    assert dims["ventas"]["reached"] is True
    assert [i["title"] for i in dims["ventas"]["completed_initiatives"]] == ["Embudo de ventas", "Política de precios"]
    # atencion_cliente: 1.50 → 2.50 = +1.00, below target 3; one of two initiatives done.
    assert (dims["atencion_cliente"]["change"], dims["atencion_cliente"]["reached"]) == ("1.00", False)
    assert [i["title"] for i in dims["atencion_cliente"]["completed_initiatives"]] == ["Canal único de atención"]
    # administracion: 3.50 → 3.00 = −0.50 (regressed) yet still at its target 3; nothing completed.
    assert (dims["administracion"]["change"], dims["administracion"]["reached"]) == ("-0.50", True)
    assert dims["administracion"]["completed_initiatives"] == []
    # cumplimiento: 2.40 → 2.40, target 4 not reached although its initiative is done.
    assert (dims["cumplimiento"]["change"], dims["cumplimiento"]["target"], dims["cumplimiento"]["reached"]) == (
        "0.00",
        4,
        False,
    )
    # Dimensions with completed initiatives: ventas, atencion_cliente, cumplimiento; reached: ventas → 1/3.
    assert doc["attainment_rate"] == "0.3333"
    assert doc["regressed"] == ["administracion"]
    assert doc["baseline_id"] == str(base.id)
    # A dimension with no score on either side has no change and did not reach anything.
    assert (dims["ventas"] is not dims.get("escalabilidad")) and dims["escalabilidad"]["change"] is None
    assert dims["escalabilidad"]["reached"] is False


async def test_progress_page_shows_the_rate_and_what_regressed_in_spanish_and_english(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm, _base, new = await _two_assessments(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/assessments/{new.id}/progress")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Avance desde la evaluación de base</h1>" in html
    assert "33" in html and "1 de 3 dimensiones con iniciativas completadas alcanzaron su meta" in html
    assert "Qué retrocedió" in html and "▼ -0.50" in html
    assert "▲ +1.25" in html and "Embudo de ventas" in html
    client.client.cookies.set("ordena_lang", "en")
    english = await client.get(f"/w/{firm.slug}/assessments/{new.id}/progress")
    assert "Progress since the baseline assessment" in english.text


async def test_progress_of_an_assessment_without_baseline_is_refused_and_another_firms_is_not_found(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm, base, new = await _two_assessments(database)
    other = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    assert (await client.get(f"/api/v1/w/{firm.slug}/assessments/{base.id}/progress")).status_code == 409
    await client.login(other.email(Role.OWNER), PASSWORD)
    assert (await client.get(f"/w/{other.slug}/assessments/{new.id}/progress")).status_code == 404
    assert (await client.get(f"/api/v1/w/{other.slug}/assessments/{new.id}/progress")).status_code == 404


async def test_the_firm_dashboard_shows_the_portfolio_attainment_rate(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm, _base, _new = await _two_assessments(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}")
    assert page.status_code == 200
    # The same three dimensions as the progress page: ventas reached; atención and cumplimiento not.
    assert "1 de 3 dimensiones con iniciativas completadas alcanzaron su meta, en 1 reevaluaciones." in page.text
    assert "33" in page.text.split('id="attainment"')[1].split("</p>")[0]


async def test_a_firm_whose_plans_were_not_reassessed_is_told_when_the_rate_appears(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.VIEWER,))
    await published_with_scores(database, firm.id, BASELINE, title="Diagnóstico 2024")
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}")
    assert "Aparece cuando una empresa con un plan de mejora vuelve a evaluarse" in page.text


async def test_the_progress_page_shows_an_initiative_completed_after_it_was_viewed(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    """The page's body is kept per set of rows read for it: an initiative moved since is another key."""
    from sqlalchemy import text

    firm, _base, new = await _two_assessments(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    path = f"/w/{firm.slug}/assessments/{new.id}/progress"
    before = await client.get(path)
    assert "Encuesta de satisfacción" not in before.text
    assert (await client.get(path)).text == before.text
    async with database.session(tenant_id=firm.id) as db:
        await db.execute(
            text(
                "UPDATE initiative SET status = 'done', progress = 100, completed_at = now() WHERE tenant_id = :t AND title = :title"
            ),
            {"t": firm.id, "title": "Encuesta de satisfacción"},
        )
        await db.commit()
    after = await client.get(path)
    assert "Encuesta de satisfacción" in after.text
