"""Networks in Chromium, end to end with the real engine: a network admin invites a firm, the
firm's owner follows the emailed link (the development outbox), reads the terms and accepts; the
admin asks for a release with "Publicar ahora" and the live server's in-process worker runs the
refresh job (the refresh role, the §11 gates, noise on); a consultant of the firm opens a
client's results, picks a cohort and reads the client's percentile; the admin opens the reports
and exports the cohorts as CSV, which the test reads back.

The peers are planted as rows (five other firms that consented, six published clients each) by
``tests/integration/networks/world.py``, as publishing stores them; the client's own assessment
is published through the lifecycle service. No release row is written by the test."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from ordena.assessments import lifecycle
from ordena.assessments.invitations import invite_contacts
from ordena.companies.models import Contact
from ordena.db.engine import Database, make_engine
from ordena.tenancy.models import Role, Tenant
from tests.e2e.conftest import PHONE, SCREENSHOTS_DIR, LiveServer, log_in, log_out, screenshots_enabled
from tests.factories import PASSWORD, make_firm
from tests.integration.networks.world import World, raw
from tests.integration.plans.helpers import validated_assessment
from tests.network_helpers import make_network

pytestmark = pytest.mark.e2e
FIRM_NAME = "Estudio Aliado del Norte"
OWNER_EMAIL = "socia.e2e@estudio-aliado.example.com"  # the address the admin knows the owner by
# Columns no export of the network area may carry: who a company or a firm is.
IDENTIFYING = ("empresa", "firma", "ruc", "contacto", "correo", "company", "firm", "email", "slug")


async def _peers(server: LiveServer, network_id: Any, slug: str) -> list[str]:
    """Five other firms that consented, six published clients each (industries C and G, two
    sizes); returns every firm and company name planted, to look for in the exports."""
    engine = make_engine(make_url(server.settings.database_url), pool_size=1)
    try:
        conn, driver = await raw(engine)
        try:
            fw = await driver.fetchrow(
                "SELECT n.framework_id, v.id AS version_id FROM network n JOIN framework_version v"
                " ON v.framework_id = n.framework_id WHERE n.id = $1 ORDER BY v.version DESC LIMIT 1",
                network_id,
            )
            dims = [
                r["key"]
                for r in await driver.fetch(
                    "SELECT d.key FROM fw_dimension d JOIN fw_pillar p ON p.id = d.pillar_id WHERE d.version_id = $1",
                    fw["version_id"],
                )
            ]
        finally:
            await conn.close()
        world = World(engine, network_id, slug, fw["framework_id"], fw["version_id"], dims)
        await world.peers()
        names = await world.sql(
            "SELECT name FROM tenant WHERE id = ANY($1::uuid[]) UNION ALL"
            " SELECT name FROM company WHERE tenant_id = ANY($1::uuid[])",
            world.firms,
        )
        return [r["name"] for r in names]
    finally:
        await engine.dispose()


def _world(server: LiveServer) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        database = Database.connect(server.settings)
        try:
            net = await make_network(database, name="Red Alianza de Prueba")
            firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER), name=FIRM_NAME)
            made = await validated_assessment(database, firm=firm)
            async with database.session(tenant_id=made.tenant_id) as db:
                await lifecycle.transition(
                    db, made.tenant_id, made.assessment_id, "publish", made.actor, confirm=True, reason="Lo medido"
                )
                await db.commit()
            # The client's contact is invited to answer this year's self-assessment: that link
            # also opens the company's published results (the peer comparison when shown).
            async with database.session(tenant_id=made.tenant_id) as db:
                contact = await db.get(Contact, (made.tenant_id, made.contact_id))
                assert contact is not None
                again = await lifecycle.create_assessment(
                    db, made.tenant_id, made.actor, lifecycle.NewAssessment(company_id=made.company_id, kind="self")
                )
                tenant = await db.get(Tenant, made.tenant_id)
                await invite_contacts(db, server.settings, tenant, made.actor, again.id, [contact.id])
                contact_email = contact.email
                await db.commit()
            names = await _peers(server, net.network.id, net.slug)
            return {"net": net, "made": made, "contact": contact_email, "names": [*names, FIRM_NAME, firm.slug]}
        finally:
            await database.dispose()

    return server.run(go(), timeout=120)


def _shoot_section(page: Any, selector: str, name: str) -> None:
    """docs/screenshots/<name>.png of one section (with ORDENA_SCREENSHOTS=1), not the whole page."""
    if screenshots_enabled():
        page.locator(selector).screenshot(path=str(SCREENSHOTS_DIR / f"{name}.png"))


def _english(page: Any, url: str) -> None:
    """The language switch's choice (the cookie it sets), so the pages answer in English."""
    page.context.add_cookies([{"name": "ordena_lang", "value": "en", "url": url}])


def test_a_firm_joins_a_refresh_publishes_a_consultant_reads_the_percentile_and_the_admin_exports(
    live_server: LiveServer, new_page: Any, newest_email: Any, screenshot: Any
) -> None:
    w = _world(live_server)
    net, made, url = w["net"], w["made"], live_server.url
    firm = made.firm

    # The network admin invites the firm's owner.
    admin = new_page()
    log_in(admin, url, net.admin.email, PASSWORD)
    assert admin.url.endswith(f"/n/{net.slug}")  # a network admin with no firm lands on the network
    admin.goto(f"{url}/n/{net.slug}/firms")
    admin.fill("#f-email", OWNER_EMAIL)
    admin.click("main form[action$='/firms/invite'] button[type=submit]")
    admin.wait_for_load_state()
    assert "Invitación enviada" in admin.content()
    mail = newest_email(OWNER_EMAIL)
    assert mail is not None and "Red Alianza de Prueba" in mail.subject
    link = re.search(r"https?://\S+/network-invitations/[A-Za-z0-9_\-]+", mail.text_body)
    assert link is not None

    # The owner follows the link, reads the terms, accepts, and shows the comparison to clients.
    owner = new_page()
    log_in(owner, url, firm.email(Role.OWNER), PASSWORD)
    owner.goto(link.group(0))
    assert "Términos de intercambio de datos" in owner.content()
    screenshot(owner, "network-invitation-es")
    owner.check("input[name=accept]")
    owner.click("main form button[type=submit]")
    owner.wait_for_load_state()
    assert owner.url.endswith(f"/w/{firm.slug}/settings/networks")
    assert "ahora participa en Red Alianza de Prueba" in owner.content()
    assert "Participa" in owner.locator("table").inner_text()
    screenshot(owner, "network-firm-consent-es")
    owner.check(f"form[action$='/networks/{net.slug}/clients'] input[name=show]")  # clients see it too
    owner.click(f"form[action$='/networks/{net.slug}/clients'] button[type=submit]")
    owner.wait_for_load_state()
    assert owner.locator(f"form[action$='/networks/{net.slug}/clients'] input[name=show]").is_checked()
    log_out(owner)

    # The admin asks for a release; the in-process worker runs the refresh job.
    admin.goto(f"{url}/n/{net.slug}/firms")
    assert FIRM_NAME in admin.locator("table").first.inner_text()
    admin.goto(f"{url}/n/{net.slug}/releases")
    assert "Todavía no hay publicaciones." in admin.content()
    admin.click("main form[action$='/refresh'] button[type=submit]")
    admin.wait_for_load_state()
    assert "Publicación pedida" in admin.content()
    deadline = time.monotonic() + 120
    while "#1" not in admin.locator("main").inner_text():
        assert time.monotonic() < deadline, "the refresh job published no release within 120 s"
        time.sleep(1)
        admin.reload()
    releases = admin.locator("main table").first.inner_text()
    assert "ε = 1" in releases and "sin ruido" not in releases  # noise on, as in production
    admin.click("main form[action$='/refresh'] button[type=submit]")  # again within a week: refused
    admin.wait_for_load_state()
    assert "puedes pedir otra desde el" in admin.content() or "podrás pedir otra" in admin.content()

    # A consultant compares the client with the cohort of its industry.
    consultant = new_page()
    log_in(consultant, url, firm.email(Role.CONSULTANT), PASSWORD)
    results = f"{url}/w/{firm.slug}/assessments/{made.assessment_id}/results"
    consultant.goto(results)
    section = consultant.locator("#benchmark")
    section.get_by_role("heading", name="Comparación con pares").wait_for()
    consultant.select_option("#f-slice", "industry")  # htmx swaps the section on change
    consultant.locator("#benchmark strong", has_text="Sector: C").wait_for()
    text = section.inner_text()
    assert "edición 1" in text
    rows = section.locator("table.benchmark-table tbody tr")
    assert rows.count() >= 2
    ranks = [rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(rows.count())]
    assert any(re.fullmatch(r"\d{1,3}", r) for r in ranks), ranks  # the client's percentile rank
    assert section.locator("svg.chart-benchmark").count() == 1
    _shoot_section(consultant, "#benchmark", "network-benchmark-es")

    english = new_page(locale="en-US")
    _english(english, url)
    log_in(english, url, firm.email(Role.CONSULTANT), PASSWORD)
    english.goto(f"{results}?slice=industry")
    english.locator("#benchmark").get_by_role("heading", name="Peer comparison").wait_for()
    assert english.locator("#benchmark svg.chart-benchmark").count() == 1
    _shoot_section(english, "#benchmark", "network-benchmark-en")

    # The admin reads the reports and exports the cohorts.
    admin.goto(f"{url}/n/{net.slug}")
    assert "Publicación n.º 1" in admin.content()
    assert admin.locator("svg.chart-shares").count() == 1
    screenshot(admin, "network-dashboard-es")
    admin.select_option("#slice", "industry:C")
    admin.click("form.filters button[type=submit]")
    admin.wait_for_load_state()
    assert admin.url.endswith("slice=industry%3AC") and admin.locator("svg.chart-shares").count() == 1
    for tab in ("trend", "practices", "releases"):
        admin.goto(f"{url}/n/{net.slug}/{tab}")
        assert admin.locator("main h1").count() == 1
    admin.goto(f"{url}/n/{net.slug}")
    with admin.expect_download() as download:
        admin.click("text=Exportar CSV")
    with open(download.value.path(), encoding="utf-8-sig") as f:
        body = f.read()
    rows_csv = list(csv.reader(io.StringIO(body)))
    header = rows_csv[0]
    assert header[:5] == ["Publicación", "Grupo", "Ámbito", "Publicado", "Motivo"]
    assert not [h for h in header if any(word in h.lower() for word in IDENTIFYING) and h != "Empresas (rango)"]
    assert not [name for name in w["names"] if name.lower() in body.lower()]  # no firm or company named
    published = [r for r in rows_csv[1:] if r[3] == "Sí"]
    assert published and {r[0] for r in rows_csv[1:]} == {"1"}
    median = header.index("Mediana")
    assert all(1.0 <= float(r[median]) <= 5.0 for r in published)  # the figures are there
    assert {r[1] for r in published} >= {"Toda la red"}

    # The client's contact, on a phone, follows the invitation and reads the same comparison.
    deadline = time.monotonic() + 20
    while (invited := newest_email(w["contact"])) is None:
        assert time.monotonic() < deadline, "no invitation for the contact"
        time.sleep(0.2)
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    phone.goto(invited.link())
    phone.click("main form button[type=submit]")
    phone.wait_for_url("**/c/**")
    phone.goto(f"{url}/c/assessments/{made.assessment_id}/results?slice=industry")
    client_view = phone.locator("#benchmark")
    client_view.get_by_role("heading", name="Comparación con pares").wait_for()
    assert "Sector: C" in client_view.inner_text()
    assert client_view.locator("svg.chart-benchmark").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    _shoot_section(phone, "#benchmark", "network-benchmark-contact-phone")

    admin_en = new_page(locale="en-US")
    _english(admin_en, url)
    log_in(admin_en, url, net.admin.email, PASSWORD)
    admin_en.goto(f"{url}/n/{net.slug}")
    assert "Release no. 1" in admin_en.content() or "Release 1" in admin_en.content()
    screenshot(admin_en, "network-dashboard-en")

    phone = new_page(width=PHONE["width"], height=PHONE["height"])  # the admin on a phone
    log_in(phone, url, net.admin.email, PASSWORD)
    phone.goto(f"{url}/n/{net.slug}")
    # Nothing wider than the screen: the chart and the tables fit a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot(phone, "network-dashboard-phone")
