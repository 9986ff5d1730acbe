"""A firm's consultant asks for an assessment's PDF from the results page, waits, downloads it;
the text of the file (pypdf) says what the results page says."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path
from typing import Any
from uuid import UUID

from pypdf import PdfReader
from sqlalchemy import func, select

from ordena.frameworks import services as frameworks
from ordena.jobs.models import JobProgress
from ordena.jobs.runtime import close_worker_database
from ordena.lib.i18n import use_locale
from ordena.plans.models import Initiative
from ordena.reports.jobs import render_report, rendering_lock
from ordena.reports.models import Report
from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.plans.helpers import validated_assessment
from tests.integration.reports.helpers import COMMENT, EVIDENCE, ReportWorld, report_world

REPORT_URL = re.compile(r"/w/[^/]+/reports/([0-9a-f-]{36})$")


async def wait_done(database: Any, tenant_id: UUID, report_id: UUID, seconds: float = 300.0) -> Report:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        async with database.session(tenant_id=tenant_id) as db:
            row = await db.scalar(select(Report).where(Report.tenant_id == tenant_id, Report.id == report_id))
        if row is not None and row.status in ("done", "failed"):
            return row
        assert loop.time() < deadline, f"report still {row.status if row else 'missing'} after {seconds} s"
        await asyncio.sleep(0.2)


async def ask(client: Any, w: ReportWorld, **form: str) -> UUID:
    await client.get(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    response = await client.post(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/reports", form)
    assert response.status_code == 303, response.text[:600]
    match = REPORT_URL.search(response.headers["location"])
    assert match is not None
    return UUID(match.group(1))


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


async def dimension_names(database: Any, locale: str) -> list[str]:
    async with database.session() as db:
        tree = await frameworks.structure(db, (await frameworks.default_version(db)).id)
    with use_locale(locale):
        return [tree.label(d.name) for d in tree.dimensions]


async def initiative_titles(database: Any, w: ReportWorld) -> list[str]:
    async with database.session(tenant_id=w.tenant_id) as db:
        rows = await db.scalars(
            select(Initiative.title).where(Initiative.tenant_id == w.tenant_id, Initiative.plan_id == w.plan_id)
        )
        return list(rows)


async def test_a_consultant_generates_the_pdf_and_it_says_what_the_results_page_says(
    client: Any, database: Any, settings: Any
) -> None:
    w = await report_world(database, company_name="Textiles Andinos del Sur S.A.C.")
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    results = await client.get(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    overall = re.search(r'class="big-score"><strong>([^<]+)</strong>', results.text)
    assert overall is not None
    report_id = await ask(client, w, format="pdf", locale="es", include_comments="1")
    page = await client.get(f"/w/{w.firm.slug}/reports/{report_id}")
    assert page.status_code == 200 and "Informe de la evaluación" in page.text
    report = await wait_done(database, w.tenant_id, report_id)
    assert report.status == "done", report.error

    done_page = await client.get(f"/w/{w.firm.slug}/reports/{report_id}", headers={"HX-Request": "true"})
    assert "Descargar informe" in done_page.text and "hx-trigger" not in done_page.text
    download = await client.get(f"/w/{w.firm.slug}/reports/{report_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/pdf")
    assert "attachment" in download.headers["content-disposition"]
    text = pdf_text(download.content)
    assert "Textiles Andinos del Sur S.A.C." in text
    for name in await dimension_names(database, "es"):
        assert name in text, name
    assert overall.group(1) in text
    for title in await initiative_titles(database, w):
        assert " ".join(title.split()) in text, title
    assert COMMENT in text and EVIDENCE in text
    assert "Contenido" in text and "Resumen ejecutivo" in text and "Página 2 / " in text
    assert w.firm.slug in text  # the firm's name heads the pages (factories name firms after their slug)
    assert len(PdfReader(io.BytesIO(download.content)).pages) >= 6
    stored = Path(settings.data_dir) / "reports" / str(w.tenant_id) / f"{report_id}.pdf"
    assert stored.read_bytes() == download.content


async def test_the_report_in_english_without_comments(client: Any, database: Any) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    report_id = await ask(client, w, format="pdf", locale="en")  # the box unticked: no comments
    assert (await wait_done(database, w.tenant_id, report_id)).status == "done"
    text = pdf_text((await client.get(f"/w/{w.firm.slug}/reports/{report_id}/download")).content)
    assert "Executive summary" in text and "Contents" in text
    for name in await dimension_names(database, "en"):
        assert name in text, name
    assert COMMENT not in text
    assert EVIDENCE in text  # evidence names stay: only comments are left out


async def test_asking_again_reuses_an_up_to_date_report_and_a_change_makes_a_new_one(
    client: Any, database: Any, settings: Any
) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    first = await ask(client, w, format="pdf", locale="es", include_comments="1")
    await wait_done(database, w.tenant_id, first)
    assert await ask(client, w, format="pdf", locale="es", include_comments="1") == first
    async with database.session(tenant_id=w.tenant_id) as db:
        initiative = await db.scalar(
            select(Initiative).where(Initiative.tenant_id == w.tenant_id, Initiative.plan_id == w.plan_id).limit(1)
        )
        assert initiative is not None
        initiative.title = "Iniciativa renombrada después del informe"
        await db.commit()
    stale = await client.get(f"/w/{w.firm.slug}/reports/{first}")
    assert "cambiaron después de generar este informe" in stale.text
    second = await ask(client, w, format="pdf", locale="es", include_comments="1")
    assert second != first
    await wait_done(database, w.tenant_id, second)
    text = pdf_text((await client.get(f"/w/{w.firm.slug}/reports/{second}/download")).content)
    assert "Iniciativa renombrada después del informe" in text


async def test_a_job_delivered_twice_leaves_one_file(client: Any, database: Any, settings: Any) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    report_id = await ask(client, w, format="pdf", locale="es")
    done = await wait_done(database, w.tenant_id, report_id)
    folder = Path(settings.data_dir) / "reports" / str(w.tenant_id)
    before = sorted(p.name for p in folder.iterdir())
    try:
        await render_report(str(w.tenant_id), str(report_id))  # a redelivered message
        async with database.session(tenant_id=w.tenant_id) as db:  # and one whose file was lost
            row = await db.get(Report, (w.tenant_id, report_id))
            assert row is not None
            row.status = "pending"
            await db.commit()
        (folder / f"{report_id}.pdf").unlink()
        await render_report(str(w.tenant_id), str(report_id))
        await render_report(str(w.tenant_id), str(report_id))
    finally:
        await close_worker_database()
    assert before == [f"{report_id}.pdf"]
    assert sorted(p.name for p in folder.iterdir()) == before  # no second file, no leftovers
    again = await wait_done(database, w.tenant_id, report_id)
    assert again.status == "done" and again.size > 0 and done.size > 0


async def test_a_report_left_running_by_a_dead_worker_is_finished_by_the_redelivery(
    client: Any, database: Any, settings: Any
) -> None:
    """A worker killed mid-render leaves the report "running"; the broker redelivers the message
    to another worker, which must finish it (not leave it spinning), while a delivery that is
    still alive elsewhere keeps it to itself."""
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    report_id = await ask(client, w, format="pdf", locale="es")
    await wait_done(database, w.tenant_id, report_id)
    folder = Path(settings.data_dir) / "reports" / str(w.tenant_id)
    (folder / f"{report_id}.pdf").unlink()
    async with database.session(tenant_id=w.tenant_id) as db:  # what the killed worker left behind
        row = await db.get(Report, (w.tenant_id, report_id))
        assert row is not None
        row.status, row.started_at = "running", func.now()
        await db.commit()
    try:
        async with rendering_lock(report_id) as mine:  # a live delivery holds the report
            assert mine
            await render_report(str(w.tenant_id), str(report_id))
            assert not (folder / f"{report_id}.pdf").exists()
        async with database.session(tenant_id=w.tenant_id) as db:
            row = await db.get(Report, (w.tenant_id, report_id))
            assert row is not None and row.status == "running"
        await render_report(str(w.tenant_id), str(report_id))  # the redelivery after the kill
    finally:
        await close_worker_database()
    done = await wait_done(database, w.tenant_id, report_id, seconds=30)
    assert done.status == "done" and (folder / f"{report_id}.pdf").stat().st_size == done.size > 0


async def test_a_draft_has_no_report_and_unknown_choices_are_refused_next_to_the_field(
    client: Any, database: Any
) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    await client.get(f"/w/{w.firm.slug}/assessments/{w.assessment_id}/results")
    bad = await client.post(
        f"/w/{w.firm.slug}/assessments/{w.assessment_id}/reports", {"format": "docx", "locale": "fr"}
    )
    assert bad.status_code == 422
    assert 'id="e-format"' in bad.text and "PDF o Excel" in bad.text
    assert 'id="e-locale"' in bad.text and "español o inglés" in bad.text
    draft = await validated_assessment(database, firm=w.firm, status="draft")
    await client.get(f"/w/{w.firm.slug}/assessments/{draft.assessment_id}/results")
    refused = await client.post(
        f"/w/{w.firm.slug}/assessments/{draft.assessment_id}/reports", {"format": "pdf", "locale": "es"}
    )
    assert refused.status_code == 409 and "borrador" in refused.text
    async with database.session(tenant_id=w.tenant_id) as db:
        assert await db.scalar(select(func.count()).select_from(Report).where(Report.tenant_id == w.tenant_id)) == 0
        jobs = select(func.count()).select_from(JobProgress).where(JobProgress.tenant_id == w.tenant_id)
        assert await db.scalar(jobs) == 0


async def test_a_report_still_being_made_cannot_be_downloaded_yet(client: Any, database: Any, settings: Any) -> None:
    w = await report_world(database)
    async with database.session(tenant_id=w.tenant_id) as db:
        # A report whose job has not run (no outbox row: it stays pending).
        report = Report(tenant_id=w.tenant_id, assessment_id=w.assessment_id, format="pdf", locale="es")
        db.add(report)
        await db.commit()
    await client.login(w.firm.email(Role.VIEWER), PASSWORD)
    response = await client.get(f"/w/{w.firm.slug}/reports/{report.id}/download")
    assert response.status_code == 409 and "aún se está generando" in response.text
    page = await client.get(f"/w/{w.firm.slug}/reports/{report.id}")
    assert 'hx-trigger="every 1s"' in page.text
    api = await client.get(f"/api/v1/w/{w.firm.slug}/reports/{report.id}")
    assert api.status_code == 202 and api.json()["status"] == "pending"
    assert not (Path(settings.data_dir) / "reports" / str(w.tenant_id) / f"{report.id}.pdf").exists()
