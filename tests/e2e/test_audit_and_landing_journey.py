"""In Chromium: a visitor reads the landing page (desktop and phone, Spanish and English); a
consultant answers part of a questionnaire (each choice autosaves); the owner reads the audit
log as names and changes, one line for the autosaves, exports it; and the development outbox
shows nothing to a visitor who is not signed in."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in
from tests.factories import PASSWORD
from tests.integration.assessments.helpers import World, make_world, new_assessment

pytestmark = pytest.mark.e2e


def test_a_visitor_reads_what_ordena_does_today_on_desktop_and_phone(
    live_url: str, new_page: Any, screenshot: Any
) -> None:
    for locale, lang, heading in (("es-PE", "es", "Lo que hace hoy"), ("en-US", "en", "What it does today")):
        for width, height, suffix in ((1280, 900, ""), (PHONE["width"], PHONE["height"], "-mobile")):
            page = new_page(locale=locale, width=width, height=height)
            page.goto(live_url + "/")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.get_by_role("heading", level=2, name=heading).is_visible()
            shot = page.locator("figure.landing-shot img")
            shot.scroll_into_view_if_needed()
            assert shot.evaluate("img => img.complete && img.naturalWidth > 0")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"landing{suffix}-{lang}")


def _world(live_server: LiveServer) -> tuple[World, Any]:
    from ordena.db.engine import Database

    async def go() -> tuple[World, Any]:
        database = Database.connect(live_server.settings)
        try:
            world = await make_world(database)
            return world, await new_assessment(database, world)
        finally:
            await database.dispose()

    return live_server.run(go())


def test_the_owner_reads_the_consultants_autosaves_as_one_line_and_exports_the_log(
    live_server: LiveServer, new_page: Any, screenshot: Any
) -> None:
    url = live_server.url
    world, assessment = _world(live_server)
    base = f"/w/{world.slug}"

    consultant = new_page()
    log_in(consultant, url, world.firm.email(Role.CONSULTANT), PASSWORD)
    consultant.goto(url + f"{base}/assessments/{assessment.id}")
    consultant.goto(url + f"{base}/assessments/{assessment.id}/q/" + "ventas")
    questions = consultant.locator("article.question").all()[:3]
    for level, question in enumerate(questions, start=2):
        question.locator(f"input[type=radio][value='{level}']").check()
        question.locator(".save-status .saved").wait_for()

    owner = new_page()
    log_in(owner, url, world.firm.email(Role.OWNER), PASSWORD)
    owner.goto(url + f"{base}/audit")
    rows = owner.locator("table.audit tbody tr")
    folded = rows.filter(has_text="×3")
    assert folded.count() == 1, "three autosaves, one line"
    assert world.firm.users[Role.CONSULTANT].name in folded.inner_text()
    assert "3 guardados · 3 preguntas" in folded.inner_text()
    screenshot(owner, "audit-es")
    with owner.expect_download() as download:
        owner.click("a[href^='audit.csv']")
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8-sig", newline="") as exported:
        actions = [row[3] for row in csv.reader(exported)]
    assert actions.count("Respuesta") == 3  # the export keeps every autosave

    owner.check("input[name=raw]")
    owner.click("form.filters button[type=submit]")
    owner.wait_for_load_state()
    actions = owner.locator("table.audit tbody tr td:nth-child(3)").all_inner_texts()
    assert [a.strip() for a in actions].count("Respuesta") == 3

    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone, url, world.firm.email(Role.OWNER), PASSWORD)
    phone.goto(url + f"{base}/audit")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "audit-mobile-es")

    visitor = new_page()
    visitor.goto(url + "/dev/outbox")
    assert "/login" in visitor.url
    assert visitor.get_by_role("heading", name="Correos de desarrollo").count() == 0
