"""The firm's own framework, end to end in Chromium: a partner copies the default model, renames
it, adds a dimension with a question that admits "no aplica", publishes, makes it the firm's
default, creates an assessment with it and answers the new dimension's question."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, SCREENSHOTS_DIR, screenshots_enabled

pytestmark = pytest.mark.e2e


def _accept_next_dialog(page: Any) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_partner_builds_the_firms_own_model_and_assesses_a_client_with_it(
    live_url: str, new_page: Any, sign_up_firm: Any, screenshot: Any
) -> None:
    page = new_page()
    firm = sign_up_firm(page)  # the owner: a partner and more
    base = firm.path

    # A client company to assess.
    page.goto(live_url + base + "/companies/new")
    page.fill("#f-name", "Agroexport Ica S.A.C.")
    page.select_option("#f-industry_section", "A")
    page.select_option("#f-size_band", "mediana")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*{base}/companies/[0-9a-f-]{{36}}$"))
    company_url = page.url

    # The partner copies Ordena's model; the copy opens as an editable draft.
    page.goto(live_url + base + "/frameworks")
    page.locator("article", has_text="Ordena").locator("button:has-text('Crear copia de la firma')").first.click()
    page.wait_for_url(re.compile(r".*/frameworks/versions/[0-9a-f-]{36}$"))
    draft_url = page.url

    # …renames and describes it…
    page.click("main a:has-text('Cambiar nombre y descripción')")
    page.fill("#f-name_es", "Modelo Quispe para agroexportadoras")
    page.fill("#f-name_en", "Quispe model for agro-exporters")
    page.fill("#f-description_es", "El modelo de Ordena con la trazabilidad que piden los compradores.")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{base}/frameworks")
    assert "Modelo Quispe para agroexportadoras" in page.locator("main").inner_text()

    # …adds a dimension to the first pillar…
    page.goto(draft_url)
    page.locator("main section").first.locator("a:has-text('Agregar dimensión')").click()
    page.fill("#f-name_es", "Trazabilidad")
    page.fill("#f-description_es", "Del campo al contenedor.")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*#dim-dim_[0-9a-f]+$"))
    dim_key = page.url.rsplit("#dim-", 1)[1]
    dimension = page.locator(f"#dim-{dim_key}")
    assert "Trazabilidad" in dimension.inner_text()

    # …with a question that admits "no aplica"…
    dimension.locator("a:has-text('Agregar pregunta')").click()
    page.fill("#f-text_es", "¿Cada lote se puede rastrear hasta su parcela?")
    for level in range(1, 6):
        page.fill(f"#f-level_{level}_es", f"Trazabilidad de nivel {level}")
    page.check("#f-allows_na")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*#q-[0-9a-f-]{36}$"))
    question = page.locator(f"#dim-{dim_key} li", has_text="¿Cada lote se puede rastrear")
    assert "admite «no aplica»" in question.inner_text()
    if screenshots_enabled():  # the whole draft is very long: its top and the new dimension
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS_DIR / "own-framework-draft-es.png"))
        dimension.screenshot(path=str(SCREENSHOTS_DIR / "own-framework-new-dimension-es.png"))

    # …publishes it and makes it the firm's default for new assessments.
    _accept_next_dialog(page)
    page.click("main button:has-text('Publicar versión')")
    page.wait_for_url(draft_url)
    page.click("main button:has-text('Usar por defecto en nuevas evaluaciones')")
    page.wait_for_url(f"**{base}/frameworks")
    own_row = page.locator("article", has_text="Modelo Quispe").locator("tbody tr").first
    assert "Por defecto" in own_row.inner_text()

    # The new-assessment form offers the models and starts from the firm's default.
    page.goto(company_url)
    page.click("main a:has-text('Nueva evaluación')")
    chosen = page.locator("#f-framework_version_id option:checked").inner_text()
    assert "Modelo Quispe" in chosen
    assert page.locator("#f-framework_version_id option").count() >= 2
    assert page.locator(f"#f-target_{dim_key}").count() == 1
    screenshot(page, "new-assessment-model-choice-es")
    page.fill("#f-title", "Diagnóstico con modelo propio")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(rf".*{base}/assessments/[0-9a-f-]{{36}}$"))
    overview = page.url
    assert "Modelo Quispe para agroexportadoras" in page.locator("main hgroup").inner_text()

    # The consultant answers the new dimension's question; it saves itself.
    page.goto(f"{overview}/q/{dim_key}")
    own_question = page.locator("article.question", has_text="¿Cada lote se puede rastrear")
    own_question.locator("input[type=radio][value='2']").check()
    own_question.locator(".save-status .saved").wait_for()
    page.reload()
    checked = page.locator("article.question", has_text="¿Cada lote se puede rastrear")
    assert checked.locator("input[type=radio][value='2']").is_checked()

    # The phone layout of the form with the model choice stays within the screen.
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    phone.context.add_cookies(page.context.cookies())
    phone.goto(company_url + "/assessments/new")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "new-assessment-model-choice-mobile-es")
