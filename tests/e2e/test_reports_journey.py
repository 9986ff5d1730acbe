"""The client report in Chromium: from the results page the consultant asks for the PDF, watches
its progress (htmx polling), downloads it, and the file says what the page says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.e2e.conftest import LiveServer, log_in
from tests.factories import PASSWORD, make_firm
from tests.integration.reports.helpers import COMMENT, ReportWorld, report_world

pytestmark = pytest.mark.e2e


def _world(server: LiveServer) -> ReportWorld:
    async def go() -> ReportWorld:
        database = Database.connect(server.settings)
        try:
            firm = await make_firm(database, roles=(Role.CONSULTANT,), name="Estudio Andino Consultores")
            return await report_world(database, firm=firm, company_name="Textiles del Pacífico S.A.C.")
        finally:
            await database.dispose()

    return server.run(go())


def test_consultant_generates_the_pdf_watches_it_and_downloads_it(
    live_server: LiveServer, new_page: Any, screenshot: Any
) -> None:
    w = _world(live_server)
    page = new_page()
    log_in(page, live_server.url, w.firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(f"{live_server.url}/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    overall = page.locator(".big-score strong").first.inner_text().strip()
    assert page.locator("#reports-title").is_visible()
    page.select_option("#f-format", "pdf")
    page.select_option("#f-locale", "es")
    page.check("#f-include_comments")
    page.click("#reports form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}$"))
    # The fragment polls itself until the file is ready (the worker prints it meanwhile).
    page.get_by_text("El informe está listo.").wait_for(timeout=120_000)
    assert page.locator("[hx-trigger]").count() == 0  # polling stopped
    screenshot(page, "reports-ready-es")
    with page.expect_download() as info:
        page.click("text=Descargar informe")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    path = Path(download.path())
    reader = PdfReader(str(path))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert "Textiles del Pacífico S.A.C." in text and "Estudio Andino Consultores" in text
    assert overall in text and COMMENT in text
