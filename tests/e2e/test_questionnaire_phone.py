"""Issue #9 in Chromium: on a phone the questionnaire's dimension menu is folded so the first
question is in view, and the autosave updates the answered counters without a reload; every
page opens with a "skip to content" link; companies show CIIU division names and the latest
result; the radar's labels are legible on a phone."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from ordena.assessments.models import ResultSnapshot
from ordena.assessments.results import compute_results
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in
from tests.factories import PASSWORD
from tests.integration.assessments.helpers import make_world, new_assessment
from tests.integration.results.helpers import KNOWN_CONSULTANT, make_assessment

pytestmark = pytest.mark.e2e


def _setup(server: LiveServer) -> tuple[Any, Any, Any]:
    from ordena.db.engine import Database

    async def go() -> tuple[Any, Any, Any]:
        database = Database.connect(server.settings)
        try:
            world = await make_world(database)
            a = await new_assessment(database, world)
            made = await make_assessment(
                database, world.tenant_id, kind="consultant", status="published", consultant=KNOWN_CONSULTANT
            )
            async with database.session(tenant_id=world.tenant_id) as db:
                r = await compute_results(db, world.tenant_id, made.assessment_id)
                db.add(
                    ResultSnapshot(
                        tenant_id=world.tenant_id, assessment_id=made.assessment_id, overall=r.overall or Decimal(0)
                    )
                )
                await db.commit()
            return world, a, made
        finally:
            await database.dispose()

    return server.run(go())


def test_on_a_phone_the_first_question_is_in_view_and_counters_follow_the_autosave(
    live_server: LiveServer, new_page: Any, screenshot: Any
) -> None:
    world, a, made = _setup(live_server)
    url = live_server.url
    page = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(page, url, world.firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(f"{url}/w/{world.slug}/assessments/{a.id}/q/ventas")
    menu = page.locator("details.dim-menu")
    assert menu.get_attribute("open") is None, "the dimension menu starts folded on a phone"
    first = page.locator("article.question").first
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"] - 120, f"first question at y={box}"
    dim_count = page.locator("details.dim-menu .dim-count").first
    before = dim_count.text_content()
    first.locator("input[type=radio]").nth(2).check()
    page.locator(".save-status .saved").first.wait_for()
    page.wait_for_function("document.querySelector('#total-progress small').textContent.startsWith('1 de')")
    after = dim_count.text_content() or ""
    assert after != before and after.startswith("1/")
    assert page.locator("#total-progress progress").get_attribute("value") == "1"
    screenshot(page, "questionnaire-phone-folded")
    menu.locator("summary").click()
    assert page.locator(".dim-nav a[aria-current=page]").is_visible()

    # Keyboard users get "Saltar al contenido" first.
    page.reload()
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    desktop = new_page()
    log_in(desktop, url, world.firm.email(Role.CONSULTANT), PASSWORD)
    desktop.goto(f"{url}/w/{world.slug}/assessments/{a.id}/q/ventas")
    assert desktop.locator("details.dim-menu").get_attribute("open") is not None
    assert desktop.locator(".dim-nav").is_visible() and not desktop.locator("details.dim-menu > summary").is_visible()

    # The radar on a phone: labels of at least 11 px as drawn.
    page.goto(f"{url}/w/{world.slug}/assessments/{made.assessment_id}/results")
    sizes = page.locator("svg.chart-radar text[text-anchor]").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 11, sizes
    page.locator("svg.chart-radar").first.scroll_into_view_if_needed()
    screenshot(page, "results-radar-phone")

    # The company page: division name and the latest result.
    desktop.goto(f"{url}/w/{world.slug}/companies/{made.company_id}")
    assert re.search(r"\d\.\d\d", desktop.locator("#latest-result").inner_text())
    screenshot(desktop, "company-latest-result")
    desktop.goto(f"{url}/w/{world.slug}/companies/new")
    options = desktop.locator("#f-industry_division option").all_inner_texts()
    assert "46 · Comercio al por mayor, excepto el de vehículos automotores y motocicletas" in options

    # The same in English on a phone.
    english = new_page(locale="en-US", width=PHONE["width"], height=PHONE["height"])
    english.context.add_cookies([{"name": "ordena_lang", "value": "en", "url": url}])
    log_in(english, url, world.firm.email(Role.CONSULTANT), PASSWORD)
    english.goto(f"{url}/w/{world.slug}/assessments/{a.id}/q/ventas")
    assert english.locator("a.skip-link").text_content() == "Skip to content"
    assert "answered" in english.locator("#total-progress").inner_text()
    assert english.locator("details.dim-menu").get_attribute("open") is None
    english.goto(f"{url}/w/{world.slug}/companies/{made.company_id}")
    assert "Latest result" in english.locator("#latest-result").inner_text()
