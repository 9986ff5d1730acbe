"""The improvement plan in Chromium: a consultant generates the plan from a validated
assessment, filters it, edits an initiative (a refused date first), on desktop and phone, in
Spanish and English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in
from tests.factories import PASSWORD
from tests.integration.plans.helpers import PlanWorld, validated_assessment

pytestmark = pytest.mark.e2e


def _world(server: LiveServer) -> PlanWorld:
    async def go() -> PlanWorld:
        database = Database.connect(server.settings)
        try:
            return await validated_assessment(database)
        finally:
            await database.dispose()

    return server.run(go())


def test_consultant_generates_filters_and_edits_the_plan(
    live_server: LiveServer, live_url: str, new_page: Callable[..., Any], screenshot: Callable[[Any, str], None]
) -> None:
    world = _world(live_server)
    slug = world.firm.slug
    page = new_page()
    log_in(page, live_url, world.firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(f"{live_url}/w/{slug}/assessments/{world.assessment_id}")
    page.get_by_role("button", name="Generar plan de mejora").click()
    page.wait_for_load_state()
    assert "/plans/" in page.url
    assert page.locator("h1").inner_text().startswith("Plan de mejora")
    rows = page.locator("table.initiatives tbody tr")
    assert rows.count() == 10
    assert "Sin datos" in page.locator("main").inner_text()
    screenshot(page, "plan-desktop-es")
    plan_url = page.url.split("?")[0]

    page.select_option("select[name=dimension]", "ventas")
    page.wait_for_url("**dimension=ventas**")
    expect(page.locator("table.initiatives tbody tr")).to_have_count(2)

    page.goto(plan_url)
    page.locator("table.initiatives tbody tr a").first.click()
    page.wait_for_load_state()
    page.fill("#f-start_on", "2026-03-01")
    page.fill("#f-due_on", "2026-01-15")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_load_state()
    assert "La fecha límite no puede ser anterior a la de inicio." in page.locator("#e-due_on").inner_text()
    screenshot(page, "plan-initiative-error-es")
    page.fill("#f-due_on", "2026-04-30")
    page.select_option("#f-status", "in_progress")
    page.fill("#f-progress", "25")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_load_state()
    assert page.url.startswith(plan_url)
    assert "25 %" in page.locator("table.initiatives tbody tr").first.inner_text()

    phone = new_page(locale="en-US", width=PHONE["width"], height=PHONE["height"])
    log_in(phone, live_url, world.firm.email(Role.CONSULTANT), PASSWORD)
    phone.context.add_cookies([{"name": "ordena_lang", "value": "en", "url": live_url}])
    phone.goto(plan_url)
    expect(phone.get_by_role("heading", name="Initiatives", exact=True)).to_be_visible()  # the title is data (es)
    assert "Export CSV" in phone.locator("main").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the phone page scrolls sideways ({width}px)"
    screenshot(phone, "plan-phone-en")
    phone_es = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone_es, live_url, world.firm.email(Role.CONSULTANT), PASSWORD)
    phone_es.goto(plan_url)
    screenshot(phone_es, "plan-phone-es")
    desktop_en = new_page(locale="en-US")
    log_in(desktop_en, live_url, world.firm.email(Role.CONSULTANT), PASSWORD)
    desktop_en.context.add_cookies([{"name": "ordena_lang", "value": "en", "url": live_url}])
    desktop_en.goto(plan_url)
    screenshot(desktop_en, "plan-desktop-en")
