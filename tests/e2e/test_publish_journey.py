"""Publishing an incomplete assessment, end to end in Chromium: the overview shows how much is
answered per side and dimension; publishing below the firm's threshold asks for a reason and
then publishes with one; the results state the completeness next to the scores, explain the
level bands, and the history chart keeps its labels inside the chart."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from ordena.assessments.answers import parse_answer, save_answer
from ordena.assessments.lifecycle import NewAssessment, create_assessment, transition
from ordena.audit.services import Actor
from ordena.companies.models import Company
from ordena.db.engine import Database
from ordena.frameworks.services import default_version, structure
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in
from tests.factories import PASSWORD, FirmFixture, make_firm

pytestmark = pytest.mark.e2e

# Every <text> of every chart, measured by the browser, against the chart's viewBox.
# Measured on screen (getBoundingClientRect), so that a group's transform (the radar shifts its
# drawing into a cropped box) counts as the reader sees it.
TEXT_OUTSIDE = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBoundingClientRect();
      if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1)
        out.push(t.textContent);
    }
  }
  return out;
}"""


def _set_up(server: LiveServer) -> tuple[FirmFixture, Any]:
    """A firm whose client company has one complete published run (last year) and a second run
    with 3 answers, validated: the one about to be published."""

    async def go() -> tuple[FirmFixture, Any]:
        database = Database.connect(server.settings)
        try:
            firm = await make_firm(
                database, roles=(Role.OWNER, Role.CONSULTANT), name=f"Estudio {uuid.uuid4().hex[:6]}"
            )
            user = firm.users[Role.CONSULTANT]
            actor = Actor(user.id, user.email)
            async with database.session(tenant_id=firm.id) as db:
                company = Company(
                    tenant_id=firm.id, name="Comercial Los Andes S.A.", industry_section="G", size_band="pequena"
                )
                db.add(company)
                await db.flush()
                tree = await structure(db, (await default_version(db)).id)
                runs = []
                for title, answered in (("Diagnóstico inicial de la operación comercial", None), ("Avance parcial", 3)):
                    a = await create_assessment(db, firm.id, actor, NewAssessment(company_id=company.id, title=title))
                    for q in tree.questions[: answered or len(tree.questions)]:
                        await save_answer(
                            db, firm.id, a.id, q.id, parse_answer("2" if answered is None else "4"), actor
                        )
                    for action in ("submit", "validate"):
                        await transition(db, firm.id, a.id, action, actor, confirm=True)
                    runs.append(a)
                await transition(db, firm.id, runs[0].id, "publish", actor)
                runs[0].published_at = dt.datetime(2025, 11, 3, 15, 0, tzinfo=dt.UTC)
                await db.commit()
            return firm, runs[1].id
        finally:
            await database.dispose()

    return server.run(go())


def test_publishing_three_answers_asks_for_a_reason_and_the_results_say_how_much_was_answered(
    live_server: LiveServer, new_page: Any, screenshot: Any
) -> None:
    url = live_server.url
    firm, assessment_id = _set_up(live_server)
    overview = f"{url}/w/{firm.slug}/assessments/{assessment_id}"
    page = new_page()
    log_in(page, url, firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(overview)

    # Before publishing, the consultant sees how little is answered, per side and dimension.
    readiness = page.locator("section.readiness")
    assert readiness.is_visible()
    assert "Consultor" in readiness.inner_text() and "3/" in readiness.inner_text()
    assert readiness.locator("tbody tr").count() >= 3
    screenshot(page, "publish-readiness-es")

    # Publishing without a reason is refused, with the message next to the reason field.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.publish-reason button[type=submit]")
    page.wait_for_load_state()
    error = page.locator("#e-reason")
    assert error.is_visible() and "motivo" in error.inner_text()
    assert page.locator("hgroup .badge").inner_text().strip() == "Validada"
    screenshot(page, "publish-needs-reason-es")

    # With a reason, it publishes.
    page.fill("#f-reason", "El gerente pidió ver el avance antes del comité.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.publish-reason button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("hgroup .badge").inner_text().strip() == "Publicada"

    # The results state the completeness next to the scores that rest on partial answers.
    page.goto(overview + "/results")
    summary = page.locator("section.results-summary")
    assert "respondido" in summary.locator("p.big-score").inner_text()
    assert "Inicial" in page.locator(".level-legend").first.inner_text()
    history = page.locator("svg.chart-lines")
    assert history.count() == 1
    labels = history.text_content() or ""
    assert "Diagnóstico" in labels and "Avance parcial" in labels and "2025" in labels
    assert page.evaluate(TEXT_OUTSIDE) == []
    screenshot(page, "results-partial-es")

    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone, url, firm.email(Role.CONSULTANT), PASSWORD)
    phone.goto(overview + "/results")
    phone.click("form.lang-switch button[value=en]")
    phone.wait_for_load_state()
    assert "answered" in phone.locator("section.results-summary").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "results wider than a phone"
    screenshot(phone, "results-partial-mobile-en")

    # Printed, the results keep no navigation or menus.
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("nav[aria-label=breadcrumb]").is_visible()
    assert page.locator("svg.chart-lines").is_visible()
