"""Report files do not pile up: a regenerated report deletes the file it replaces, and the daily
cleanup removes expired reports and files whose row is gone (real files under the data folder)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ordena.audit.models import AuditEvent
from ordena.lib.clock import now
from ordena.plans.models import Initiative
from ordena.reports import retention
from ordena.reports.models import Report
from ordena.tenancy.models import Role
from tests.factories import PASSWORD
from tests.integration.reports.helpers import report_world
from tests.integration.reports.test_pdf_reports import ask, wait_done


def _age(path: Path, days: float) -> None:
    then = (now() - dt.timedelta(days=days)).timestamp()
    os.utime(path, (then, then))


async def _rename_an_initiative(database: Any, w: Any, title: str) -> None:
    async with database.session(tenant_id=w.tenant_id) as db:
        initiative = await db.scalar(
            select(Initiative).where(Initiative.tenant_id == w.tenant_id, Initiative.plan_id == w.plan_id).limit(1)
        )
        assert initiative is not None
        initiative.title = title
        await db.commit()


async def test_a_regenerated_report_deletes_the_file_it_replaces_and_keeps_other_versions(
    client: Any, database: Any, settings: Any
) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    folder = Path(settings.data_dir) / "reports" / str(w.tenant_id)
    first = await ask(client, w, format="pdf", locale="es", include_comments="1")
    await wait_done(database, w.tenant_id, first)
    english = await ask(client, w, format="pdf", locale="en", include_comments="1")
    without = await ask(client, w, format="pdf", locale="es")  # comments left out: another document
    await wait_done(database, w.tenant_id, english)
    await wait_done(database, w.tenant_id, without)
    assert (folder / f"{first}.pdf").is_file()

    await _rename_an_initiative(database, w, "Iniciativa cambiada: el informe se rehace")
    second = await ask(client, w, format="pdf", locale="es", include_comments="1")
    assert second != first
    await wait_done(database, w.tenant_id, second)

    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{r}.pdf" for r in (second, english, without))  # the first file is gone
    assert (await client.get(f"/w/{w.firm.slug}/reports/{first}")).status_code == 404
    assert (await client.get(f"/w/{w.firm.slug}/reports/{second}/download")).status_code == 200
    async with database.session(tenant_id=w.tenant_id) as db:
        lines = await db.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.tenant_id == w.tenant_id, AuditEvent.entity_type == "report", AuditEvent.action == "delete"
            )
        )
        assert list(lines) == [str(first)]


async def test_the_daily_cleanup_removes_expired_reports_and_files_without_a_row(
    client: Any, database: Any, settings: Any
) -> None:
    w = await report_world(database)
    await client.login(w.firm.email(Role.CONSULTANT), PASSWORD)
    old = await ask(client, w, format="pdf", locale="es")
    await wait_done(database, w.tenant_id, old)
    recent = await ask(client, w, format="xlsx", locale="es")
    await wait_done(database, w.tenant_id, recent)
    async with database.session(tenant_id=w.tenant_id) as db:
        row = await db.get(Report, (w.tenant_id, old))
        assert row is not None
        row.finished_at = now() - dt.timedelta(days=settings.report_retention_days + 1)
        await db.commit()

    folder = Path(settings.data_dir) / "reports" / str(w.tenant_id)
    orphan = folder / f"{uuid.uuid4()}.pdf"  # its assessment was deleted long ago
    orphan.write_bytes(b"%PDF-1.7 old")
    _age(orphan, 2)
    fresh = folder / f"{uuid.uuid4()}.pdf"  # being written by a job right now: its row may be new
    fresh.write_bytes(b"%PDF-1.7 new")
    dead_part = folder / f".{uuid.uuid4()}.pdf.0123.part"
    dead_part.write_bytes(b"half")
    _age(dead_part, 1)
    gone_firm = Path(settings.data_dir) / "reports" / str(uuid.uuid4())  # a firm deleted since
    gone_firm.mkdir(parents=True)
    (gone_firm / f"{uuid.uuid4()}.xlsx").write_bytes(b"PK")
    _age(gone_firm / next(iter(os.listdir(gone_firm))), 3)
    foreign = Path(settings.data_dir) / "reports" / "not-a-firm"
    foreign.mkdir(exist_ok=True)
    (foreign / "keep.txt").write_text("not ours")

    result = await retention.clean(database, settings)

    assert result.expired_rows >= 1 and result.files_removed >= 4
    assert not (folder / f"{old}.pdf").exists() and (folder / f"{recent}.xlsx").is_file()
    assert not orphan.exists() and not dead_part.exists() and fresh.exists()
    assert list(gone_firm.iterdir()) == []
    assert (foreign / "keep.txt").exists()
    async with database.session(tenant_id=w.tenant_id) as db:
        assert await db.get(Report, (w.tenant_id, old)) is None
        assert await db.get(Report, (w.tenant_id, recent)) is not None
    assert (await client.get(f"/w/{w.firm.slug}/reports/{old}/download")).status_code == 404

    await retention.clean(database, settings)  # a second pass leaves what is current alone
    assert fresh.exists() and (folder / f"{recent}.xlsx").is_file()
