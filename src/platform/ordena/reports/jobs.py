"""The ``render_report`` job: reads the assessment, prints the PDF or workbook, stores the file.

Idempotent: the file's path is the report's id, written to a temporary name and moved into place
(a crash leaves no half-written file under the real name), and a delivery that finds the report
done with its file there does nothing. A delivery renders while holding a session-level advisory
lock on the report: a second delivery that cannot take it leaves the report to the live one, and
one that can take it while the report says "running" knows the worker that claimed it died (its
connection, and so its lock, went with it) and takes over at once — a report is never stuck
"running". A rendering error marks the report failed, with nothing left on disk; a database outage
raises, and the broker retries.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs import progress
from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.lib.clock import now
from ordena.lib.i18n import _, use_locale
from ordena.reports import retention, services
from ordena.reports.content import load_report
from ordena.reports.fingerprint import content_fingerprint
from ordena.reports.models import Report
from ordena.reports.pdf import render_pdf
from ordena.reports.peers import peer_section
from ordena.reports.xlsx import assessment_workbook, portfolio_workbook
from ordena.settings import Settings


async def _step(db: AsyncSession, report: Report, done: int, status: str | None = None, **result: Any) -> None:
    if report.job_id is None:
        return
    row = await progress.lock(db, report.tenant_id, report.job_id)
    if row is not None:
        progress.update(row, done=done, status=status, **result)


def write_atomically(path: Path, body: bytes) -> None:
    """``path`` holds ``body`` whole or is untouched (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@asynccontextmanager
async def rendering_lock(report_id: UUID) -> AsyncIterator[bool]:
    """Hold the report's advisory lock while it renders; yields whether this delivery got it.

    Session-level, on a connection of its own, committed at once so it is not a long
    transaction: PostgreSQL releases it when the connection ends, a killed worker's included."""
    key = func.hashtextextended(f"report:{report_id}", 0)
    async with worker_database().engine.connect() as conn:
        got = bool(await conn.scalar(select(func.pg_try_advisory_lock(key))))
        await conn.commit()
        try:
            yield got
        finally:
            if got:
                await conn.scalar(select(func.pg_advisory_unlock(key)))
                await conn.commit()


async def _claim(settings: Settings, tenant_id: UUID, report_id: UUID) -> Report | None:
    """Mark the report running; None when there is nothing to do. Called with the report's
    rendering lock held, so a report found "running" was claimed by a delivery that died."""
    async with worker_database().session(tenant_id=tenant_id) as db:
        report = await db.scalar(services.select_report(tenant_id, report_id).with_for_update())
        if report is None:
            return None
        if report.status == progress.DONE and services.report_path(settings.data_dir, report).is_file():
            return None
        if report.status == progress.FAILED:
            return None
        report.status = progress.RUNNING
        report.started_at = now()
        await _step(db, report, 0, progress.RUNNING)
        await db.commit()
        db.expunge(report)
        return report


async def render(settings: Settings, report: Report) -> bytes:
    """The report's bytes (reads in its own transaction; prints outside it)."""
    async with worker_database().session(tenant_id=report.tenant_id) as db:
        if report.assessment_id is None:  # the firm's portfolio: always made from what is there now
            return await portfolio_workbook(db, report.tenant_id)
        fingerprint = await content_fingerprint(db, report.tenant_id, report.assessment_id)
        if report.format == "xlsx":
            body = await assessment_workbook(
                db, report.tenant_id, report.assessment_id, include_comments=report.include_comments
            )
        else:
            peers = await peer_section(db, report.tenant_id, report.assessment_id)
            doc = await load_report(
                db, report.tenant_id, report.assessment_id, include_comments=report.include_comments, benchmark=peers
            )
            body = render_pdf(doc, settings.templates_dir, settings.static_dir)
    report.fingerprint = fingerprint
    return body


async def _finish(settings: Settings, report: Report, body: bytes | None, error: str = "") -> None:
    superseded: list[Path] = []
    async with worker_database().session(tenant_id=report.tenant_id) as db:
        row = await db.scalar(services.select_report(report.tenant_id, report.id).with_for_update())
        if row is None:  # the assessment was deleted meanwhile
            services.report_path(settings.data_dir, report).unlink(missing_ok=True)
            return
        row.finished_at = now()
        if body is None:
            row.status = progress.FAILED
            row.error = error[:2000]
            await _step(db, row, 0, progress.FAILED, message=_("El informe no pudo generarse. Vuelve a pedirlo."))
        else:
            row.status = progress.DONE
            row.fingerprint = report.fingerprint
            row.storage_key = services.storage_key(row)
            row.size = len(body)
            row.sha256 = hashlib.sha256(body).hexdigest()
            await _step(db, row, services.STEPS, progress.DONE)
            superseded = await retention.supersede(db, settings.data_dir, row)
        await db.commit()
    retention.remove_files(superseded)  # after the commit: a rollback leaves every file in place


@job("clean_report_files")
async def clean_report_files() -> None:
    """The daily pass of ``retention.clean``: expired reports and files without a row."""
    await retention.clean(worker_database(), worker_settings())


@job(services.JOB)
async def render_report(tenant_id: str, report_id: str) -> None:
    settings = worker_settings()
    async with rendering_lock(UUID(report_id)) as mine:
        if not mine:
            return  # another delivery of this report is rendering it right now
        await _render_claimed(settings, UUID(tenant_id), UUID(report_id))


async def _render_claimed(settings: Settings, tenant_id: UUID, report_id: UUID) -> None:
    report = await _claim(settings, tenant_id, report_id)
    if report is None:
        return
    path = services.report_path(settings.data_dir, report)
    with use_locale(report.locale):
        try:
            body = await render(settings, report)
        except (ValueError, KeyError, TypeError, LookupError, OSError) as exc:
            path.unlink(missing_ok=True)
            await _finish(settings, report, None, f"{type(exc).__name__}: {exc}")
            return
        write_atomically(path, body)
        await _finish(settings, report, body)
