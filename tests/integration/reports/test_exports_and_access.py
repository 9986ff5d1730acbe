"""Excel workbooks and CSV files a firm hands out (numbers as numbers, formulas as text), the
report API, and who may open a report: the firm's members, the client's contacts for a
published assessment of their company, nobody else (404)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from openpyxl import load_workbook

from ordena.companies.models import Company
from ordena.jobs.runtime import close_worker_database
from ordena.reports.jobs import render_report
from ordena.reports.models import Report
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.assessments.helpers import link_in, login, make_world, new_assessment, newest_email
from tests.integration.plans.test_pages_and_api import _bearer
from tests.integration.reports.helpers import COMMENT, EVIDENCE, report_world
from tests.integration.reports.test_pdf_reports import REPORT_URL, ask, wait_done
from tests.integration.results.helpers import make_assessment

EVIL = '=HYPERLINK("http://x")'


def _score_cells(html: str) -> dict[str, str]:
    """Dimension name → the score the results page shows (its first <strong> in the row)."""
    import re

    out = {}
    for row in re.findall(r"<tr>\s*<td data-label=\"Dimensión\">(.*?)</tr>", html, flags=re.S):
        name = re.sub(r"<.*", "", row, flags=re.S).strip()
        score = re.search(r"<strong>([0-9.]+)</strong>", row)
        if score:
            out[name] = score.group(1)
    return out


async def test_the_assessment_workbook_has_numbers_comments_and_the_plan(client: Any, database: Any) -> None:
    w = await report_world(database, company_name=EVIL)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    results = await client.get(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    shown = _score_cells(results.text)
    assert len(shown) >= 6
    report_id = await ask(client, w, format="xlsx", locale="es", include_comments="1")
    assert (await wait_done(database, w.tenant_id, report_id)).status == "done"
    download = await client.get(f"/w/{w.firm.slug}/reports/{report_id}/download")
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(download.content))
    assert (
        book.sheetnames[:1] == ["Resumen"] and "Respuestas" in book.sheetnames and "Plan de mejora" in book.sheetnames
    )
    company = next(r for r in book["Resumen"].iter_rows() if r[0].value == "Empresa")[1]
    assert company.value == EVIL and company.data_type == "s"  # text, never a formula
    found = 0
    for name in book.sheetnames[1:4]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        for row in sheet.iter_rows(min_row=2):
            if row[0].value in shown:
                assert row[1].data_type == "n" and f"{row[1].value:.2f}" == shown[row[0].value]
                assert row[1].number_format == "0.00"
                found += 1
    assert found == len(shown)
    answers = book["Respuestas"]
    texts = [" ".join(str(c.value or "") for c in row) for row in answers.iter_rows(min_row=2)]
    assert any(COMMENT in t and EVIDENCE in t for t in texts)
    plan = book["Plan de mejora"]
    assert plan.max_row >= 2 and plan.cell(2, 1).data_type == "n"


async def test_the_portfolio_workbook_and_the_company_csv_keep_formulas_as_text(client: Any, database: Any) -> None:
    w = await report_world(database, company_name=EVIL, status="published")
    await client.login(w.firm.email(Role.VIEWER), PASSWORD)
    report_id = await ask_portfolio(client, w.firm.slug)
    assert (await wait_done(database, w.tenant_id, report_id)).status == "done"
    page = await client.get(f"/w/{w.firm.slug}/reports/{report_id}")
    assert "Cartera en Excel" in page.text and "Descargar informe" in page.text
    response = await client.get(f"/w/{w.firm.slug}/reports/{report_id}/download")
    assert response.status_code == 200
    assert f"cartera-{w.firm.slug}-" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Cartera"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == EVIL)
    assert row[0].data_type == "s"
    assert row[header.index("Iniciativas")].value == 10 and row[header.index("Iniciativas")].data_type == "n"
    assert sheet.freeze_panes == "A2"

    body = (await client.get(f"/w/{w.firm.slug}/companies.csv")).content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["'" + EVIL] in [r[:1] for r in rows]


async def test_list_csv_files_follow_the_page_filters(client: Any, database: Any) -> None:
    w = await report_world(database)
    async with database.session(tenant_id=w.tenant_id) as db:
        db.add(Company(tenant_id=w.tenant_id, name="Minera del Sur", industry_section="B", size_band="grande"))
        await db.commit()
    await make_assessment(database, w.tenant_id, kind="consultant", status="draft", title="Borrador aparte")
    await client.login(w.firm.email(Role.VIEWER), PASSWORD)
    every = (await client.get(f"/w/{w.firm.slug}/companies.csv")).text
    assert "Minera del Sur" in every and w.company_name in every
    mined = (await client.get(f"/w/{w.firm.slug}/companies.csv?q=Minera")).text
    assert "Minera del Sur" in mined and w.company_name not in mined
    drafts = (await client.get(f"/w/{w.firm.slug}/assessments.csv?status=draft")).text
    assert "Borrador aparte" in drafts and "Diagnóstico 2025" not in drafts
    listed = await client.get(f"/w/{w.firm.slug}/companies?q=Minera")
    assert "companies.csv?q=Minera" in listed.text
    plan_all = (await client.get(f"/w/{w.firm.slug}/plans/{w.plan_id}.csv")).text
    plan_some = (await client.get(f"/w/{w.firm.slug}/plans/{w.plan_id}.csv?dimension=ventas")).text
    assert len(plan_some.splitlines()) < len(plan_all.splitlines()) and len(plan_some.splitlines()) >= 2


async def test_the_api_answers_202_then_the_file_and_refuses_unknown_choices(client: Any, database: Any) -> None:
    w = await report_world(database)
    h = await _bearer(database, w.firm.users[Role.CONSULTANT].id)
    api = client.client
    base = f"/api/v1/w/{w.firm.slug}"
    bad = await api.post(
        f"{base}/assessments/{w.assessment_id}/reports", json={"format": "doc", "locale": "de"}, headers=h
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"format", "locale"} and "PDF o Excel" in bad.json()["errors"]["format"]
    made = await api.post(
        f"{base}/assessments/{w.assessment_id}/reports", json={"format": "pdf", "locale": "en"}, headers=h
    )
    assert made.status_code == 202, made.text
    body = made.json()
    assert body["status"] in ("pending", "running", "done") and body["job_id"]
    report_id = UUID(body["id"])
    await wait_done(database, w.tenant_id, report_id)
    file = await api.get(f"{base}/reports/{report_id}", headers=h)
    assert file.status_code == 200 and file.content.startswith(b"%PDF")


async def ask_portfolio(client: Any, slug: str, **form: str) -> UUID:
    await client.get(f"/w/{slug}/companies")
    response = await client.post(f"/w/{slug}/portfolio/reports", form)
    assert response.status_code == 303, response.text[:600]
    match = REPORT_URL.search(response.headers["location"])
    assert match is not None
    return UUID(match.group(1))


async def test_the_portfolio_workbook_is_made_by_the_job_and_replaces_the_previous_file(
    client: Any, database: Any, settings: Any
) -> None:
    w = await report_world(database, status="published")
    await client.login(w.firm.email(Role.VIEWER), PASSWORD)
    listing = await client.get(f"/w/{w.firm.slug}/companies")
    assert f'action="/w/{w.firm.slug}/portfolio/reports"' in listing.text  # a button, not a GET link
    first = await ask_portfolio(client, w.firm.slug, locale="en")
    await wait_done(database, w.tenant_id, first)
    book = load_workbook(io.BytesIO((await client.get(f"/w/{w.firm.slug}/reports/{first}/download")).content))
    assert book.sheetnames[0] == "Portfolio"
    second = await ask_portfolio(client, w.firm.slug, locale="en")
    assert second != first
    await wait_done(database, w.tenant_id, second)
    folder = Path(settings.data_dir) / "reports" / str(w.tenant_id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{second}.xlsx"]
    bad = await client.post(f"/w/{w.firm.slug}/portfolio/reports", {"locale": "fr"})
    assert bad.status_code == 422 and "español o inglés" in bad.text


async def test_another_firm_cannot_reach_a_report(client: Any, database: Any) -> None:
    w = await report_world(database)
    other = await make_firm(database, roles=(Role.OWNER,))
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    report_id = await ask(client, w, format="pdf", locale="es")
    await wait_done(database, w.tenant_id, report_id)
    portfolio_id = await ask_portfolio(client, w.firm.slug)
    await wait_done(database, w.tenant_id, portfolio_id)
    client.client.cookies.clear()
    client.csrf = None
    await client.login(other.email(Role.OWNER), PASSWORD)
    for path in (
        f"/w/{other.slug}/reports/{report_id}",
        f"/w/{other.slug}/reports/{report_id}/download",
        f"/api/v1/w/{other.slug}/reports/{report_id}",
        f"/w/{w.firm.slug}/reports/{report_id}/download",
        f"/w/{other.slug}/reports/{portfolio_id}",
        f"/w/{other.slug}/reports/{portfolio_id}/download",
        f"/api/v1/w/{other.slug}/reports/{portfolio_id}",
        f"/w/{w.firm.slug}/companies.csv",
        f"/api/v1/w/{w.firm.slug}/reports/{report_id}",
    ):
        assert (await client.get(path)).status_code == 404, path
    await client.get(f"/w/{other.slug}/companies")
    assert (await client.post(f"/w/{w.firm.slug}/portfolio/reports", {"locale": "es"})).status_code == 404
    h = await _bearer(database, other.users[Role.OWNER].id)
    for slug in (other.slug, w.firm.slug):
        refused = await client.client.post(
            f"/api/v1/w/{slug}/assessments/{w.assessment_id}/reports", json={"format": "pdf", "locale": "es"}, headers=h
        )
        assert refused.status_code == 404


async def _contact_session(client: Any, database: Any, world: Any) -> None:
    a = await new_assessment(database, world, kind="self")
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    r = await client.post(f"/w/{world.slug}/assessments/{a.id}/invite", {"contact_ids": [str(world.contacts[0].id)]})
    assert r.status_code == 303
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None
    client.client.cookies.clear()
    client.csrf = None
    await client.get(urlsplit(link_in(mail)).path, follow_redirects=False)
    await client.post(urlsplit(link_in(mail)).path, {}, follow_redirects=False)
    client.csrf = None


async def _done_report(database: Any, tenant_id: UUID, company_id: UUID, status: str) -> UUID:
    made = await make_assessment(
        database, tenant_id, kind="consultant", status=status, consultant={"ventas.pipeline": 3}, company_id=company_id
    )
    async with database.session(tenant_id=tenant_id) as db:
        report = Report(tenant_id=tenant_id, assessment_id=made.assessment_id, format="pdf", locale="es")
        db.add(report)
        await db.commit()
    try:
        await render_report(str(tenant_id), str(report.id))
    finally:
        await close_worker_database()
    return report.id


async def test_a_client_contact_downloads_their_published_report_and_nothing_else(client: Any, database: Any) -> None:
    world = await make_world(database)
    mine = await _done_report(database, world.firm.id, world.company.id, "published")
    unpublished = await _done_report(database, world.firm.id, world.company.id, "validated")
    other_company = await report_world(database, firm=world.firm, status="published")
    theirs = await _done_report(database, world.firm.id, other_company.plan.company_id, "published")
    async with database.session(tenant_id=world.firm.id) as db:  # the firm's portfolio workbook
        portfolio = Report(tenant_id=world.firm.id, assessment_id=None, format="xlsx", locale="es")
        db.add(portfolio)
        await db.commit()
    try:
        await render_report(str(world.firm.id), str(portfolio.id))
    finally:
        await close_worker_database()
    await _contact_session(client, database, world)
    async with database.session(tenant_id=world.firm.id) as db:
        published = await db.get(Report, (world.firm.id, mine))
        assert published is not None
    page = await client.get(f"/c/assessments/{published.assessment_id}/results")
    assert f"/c/reports/{mine}" in page.text
    ok = await client.get(f"/c/reports/{mine}")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    assert (await client.get(f"/c/reports/{unpublished}")).status_code == 404
    assert (await client.get(f"/c/reports/{theirs}")).status_code == 404
    assert (await client.get(f"/c/reports/{portfolio.id}")).status_code == 404  # the firm's, not the client's
    assert (await client.get(f"/w/{world.slug}/reports/{mine}/download", follow_redirects=False)).status_code in (
        303,
        404,
    )
