"""Generated report files do not pile up.

- **Superseded**: when a report is done, the older reports of the same assessment, format,
  language and comments option (the same document, made from older content) go: their rows in the
  finishing job's transaction, their files once it committed. A report made with comments and one
  without are different documents and both stay.
- **Daily cleanup** (``clean_report_files``, every ``ORDENA_REPORT_CLEANUP_INTERVAL_MINUTES``):
  per firm, finished or failed reports older than ``ORDENA_REPORT_RETENTION_DAYS`` lose their row
  and file; then every file under ``data_dir/reports/<firm>/`` whose row is gone (a deleted
  assessment, a deleted firm, a crash between the two steps above) and older than ten minutes
  is removed, and so are temporary ``.part`` files older than an hour (a job that died while
  writing). ``ORDENA_REPORT_RETENTION_DAYS=0`` keeps finished reports for ever (orphans still go).

Rows go with an audit line (actor ``ordena``); a file that cannot be removed now is left for the
next pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail
from ordena.db.engine import Database
from ordena.jobs import progress
from ordena.lib.clock import now
from ordena.reports.models import FORMATS, Report
from ordena.settings import Settings
from ordena.tenancy.models import Tenant

log = logging.getLogger(__name__)

SYSTEM = Actor(None, "ordena")
# A temporary file this old belongs to no running job (a render takes seconds).
PART_AGE = dt.timedelta(hours=1)
# A file without a row is left alone this long: its report may have been asked for and written
# between this pass reading the rows and listing the folder.
ORPHAN_AGE = dt.timedelta(minutes=10)


def firm_folder(data_dir: Path, tenant_id: UUID | str) -> Path:
    return Path(data_dir) / "reports" / str(tenant_id)


def file_of(data_dir: Path, row: Report) -> Path:
    return firm_folder(data_dir, row.tenant_id) / f"{row.id}.{row.format}"


def remove_files(paths: Iterable[Path]) -> int:
    """Unlink each path; one that cannot go now stays for the daily pass."""
    removed = 0
    for path in paths:
        try:
            path.unlink(missing_ok=True)
            removed += 1
        except OSError as exc:
            log.warning("could not remove %s: %s", path, exc)
    return removed


async def supersede(db: AsyncSession, data_dir: Path, report: Report) -> list[Path]:
    """Delete the rows of the older reports ``report`` replaces (in ``db``'s transaction) and
    return their files, to remove once that transaction committed."""
    older = list(
        await db.scalars(
            select(Report).where(
                Report.tenant_id == report.tenant_id,
                Report.assessment_id == report.assessment_id,
                Report.format == report.format,
                Report.locale == report.locale,
                Report.include_comments == report.include_comments,
                Report.id != report.id,
                Report.created_at <= report.created_at,
                Report.status.in_((progress.DONE, progress.FAILED)),
            )
        )
    )
    audit = AuditTrail(db, report.tenant_id, SYSTEM)
    for row in older:
        audit("delete", "report", row.id, before={"status": row.status, "superseded_by": str(report.id)})
        await db.delete(row)
    return [file_of(data_dir, row) for row in older]


@dataclass
class Cleanup:
    expired_rows: int = 0
    files_removed: int = 0


async def _expire(db: AsyncSession, data_dir: Path, tenant_id: UUID, before: dt.datetime) -> list[Path]:
    rows = list(
        await db.scalars(
            select(Report).where(
                Report.tenant_id == tenant_id,
                Report.status.in_((progress.DONE, progress.FAILED)),
                or_(Report.finished_at < before, Report.finished_at.is_(None) & (Report.created_at < before)),
            )
        )
    )
    if rows:
        audit = AuditTrail(db, tenant_id, SYSTEM)
        for row in rows:
            audit("delete", "report", row.id, before={"status": row.status, "expired": True})
        await db.execute(delete(Report).where(Report.tenant_id == tenant_id, Report.id.in_([r.id for r in rows])))
    return [file_of(data_dir, row) for row in rows]


def _orphans(folder: Path, known: set[str], moment: dt.datetime) -> list[Path]:
    out = []
    for path in folder.iterdir():
        if not path.is_file():
            continue
        age = moment - dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        if path.name.startswith(".") and path.name.endswith(".part"):
            if age > PART_AGE:
                out.append(path)
            continue
        stem, _dot, ext = path.name.partition(".")
        if (ext not in FORMATS or stem not in known) and age > ORPHAN_AGE:
            out.append(path)
    return out


async def clean(database: Database, settings: Settings) -> Cleanup:
    """One pass over every firm's reports and every folder under ``data_dir/reports``."""
    result = Cleanup()
    moment = now()
    before = moment - dt.timedelta(days=settings.report_retention_days)
    root = Path(settings.data_dir) / "reports"
    async with database.session() as db:
        tenants = {str(t) for t in await db.scalars(select(Tenant.id))}
    folders = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    for name in sorted(tenants | folders):
        try:
            tenant_id = UUID(name)
        except ValueError:
            continue  # not a firm's folder: not ours to touch
        gone: list[Path] = []
        async with database.session(tenant_id=tenant_id) as db:
            if name in tenants and settings.report_retention_days > 0:
                gone = await _expire(db, settings.data_dir, tenant_id, before)
                result.expired_rows += len(gone)
            known = {str(i) for i in await db.scalars(select(Report.id).where(Report.tenant_id == tenant_id))}
            await db.commit()
        folder = firm_folder(settings.data_dir, tenant_id)
        if folder.is_dir():
            gone += _orphans(folder, known, moment)
        result.files_removed += remove_files(p for p in gone if p.exists())
    return result
