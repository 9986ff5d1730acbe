"""Evidence of an answer: uploaded files (checked by content, kept with every revision and
its SHA-256) and links."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries
from ordena.assessments.lookups import get_assessment
from ordena.assessments.models import Assessment, Evidence, EvidenceRevision
from ordena.audit.services import Actor, AuditTrail
from ordena.db.driver import driver
from ordena.frameworks.services import structure
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.lib.text import clean_text

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "xlsx", "docx", "csv", "txt")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "txt": "text/plain",
}


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _sniff_ok(ext: str, head: bytes, content: bytes) -> bool:
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("xlsx", "docx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            # Only the central directory is read (nothing is decompressed: no zip bomb), but a
            # crafted one can still fail in other ways (bad UTF-8 names, unknown versions).
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError, OSError):
            return False
        marker = "xl/" if ext == "xlsx" else "word/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    if ext in ("csv", "txt"):
        if b"\x00" in content[:65536]:
            return False
        try:
            content[:65536].decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sample's end is still text.
            if exc.start < min(len(content), 65536) - 4:
                try:
                    content[:65536].decode("cp1252")
                except UnicodeDecodeError:
                    return False
        return True
    return False


def check_upload(filename: str, content: bytes) -> str:
    """The file's content type, or a ServiceError (422) saying why it is refused."""
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ServiceError(
            _("El archivo pesa más de 10 MB; súbelo más liviano o comparte un enlace."), field="file", status_code=422
        )
    if not content:
        raise ServiceError(_("El archivo está vacío."), field="file", status_code=422)
    ext = _extension(filename)
    if ext not in ALLOWED_EXTENSIONS or not _sniff_ok(ext, content[:16], content):
        raise ServiceError(
            _("Tipo de archivo no permitido. Sube PDF, PNG, JPG, XLSX, DOCX, CSV o TXT."), field="file", status_code=422
        )
    return CONTENT_TYPES[ext]


def _safe_filename(filename: str) -> str:
    name = Path(clean_text(filename).replace("\\", "/")).name.strip() or "archivo"
    return re.sub(r"[\x00-\x1f\"]", "_", name)[:255]


async def _check_evidence_target(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, question_id: UUID
) -> Assessment:
    assessment = await get_assessment(db, tenant_id, assessment_id)
    if assessment.status == "published":
        raise ServiceError(_("La evaluación ya está publicada; no se puede cambiar la evidencia."), status_code=409)
    tree = await structure(db, assessment.framework_version_id)
    if not tree.has_question(question_id):
        raise NotFound()
    return assessment


async def _file_evidence(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, evidence_id: UUID, comment: str
) -> Evidence:
    """The file evidence a new revision goes to (a link has no revisions)."""
    evidence = await get_evidence(db, tenant_id, assessment_id, evidence_id)
    if evidence.kind != "file":
        raise ServiceError(_("Esta evidencia es un enlace; agrega un archivo como evidencia nueva."), status_code=422)
    if comment:
        evidence.comment = comment[:5000]
    return evidence


def _store(path: Path, content: bytes) -> None:
    """Write the file whole or not at all: a partial file never sits under its final name, and a
    full disk is the user's clear message (507), not a 500."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only if empty: a new evidence's own folder
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ServiceError(
                _(
                    "No hay espacio para guardar el archivo en este momento; no se guardó nada. Avísanos o inténtalo más tarde."
                ),
                field="file",
                status_code=507,
            ) from exc
        raise


async def add_file_evidence(
    db: AsyncSession,
    settings: Any,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    *,
    filename: str,
    content: bytes,
    comment: str,
    actor: Actor,
    evidence_id: UUID | None = None,
) -> tuple[Evidence, EvidenceRevision]:
    """A new file evidence, or a new revision of ``evidence_id``. Stored under
    ``data_dir/evidence/<tenant>/<evidence>/<revision>``; the SHA-256 is kept.

    All or nothing: the rows are written in a savepoint and the file removed if anything after
    it fails (the page shows the error and commits the rest of the request)."""
    content_type = check_upload(filename, content)
    written: list[Path] = []
    try:
        async with db.begin_nested():
            return await _add_file_evidence(
                db,
                settings,
                tenant_id,
                assessment_id,
                question_id,
                content_type,
                written,
                filename=filename,
                content=content,
                comment=comment,
                actor=actor,
                evidence_id=evidence_id,
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


async def _add_file_evidence(
    db: AsyncSession,
    settings: Any,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    content_type: str,
    written: list[Path],
    *,
    filename: str,
    content: bytes,
    comment: str,
    actor: Actor,
    evidence_id: UUID | None,
) -> tuple[Evidence, EvidenceRevision]:
    await _check_evidence_target(db, tenant_id, assessment_id, question_id)
    name = _safe_filename(filename)
    if evidence_id is not None:
        evidence = await _file_evidence(db, tenant_id, assessment_id, evidence_id, comment)
    else:
        evidence = Evidence(
            tenant_id=tenant_id,
            assessment_id=assessment_id,
            question_id=question_id,
            kind="file",
            title=name[:300],
            comment=comment[:5000],
            added_by=actor.label,
        )
        db.add(evidence)
        await db.flush()
    last = await db.scalar(
        select(func.max(EvidenceRevision.revision)).where(
            EvidenceRevision.tenant_id == tenant_id, EvidenceRevision.evidence_id == evidence.id
        )
    )
    number = int(last or 0) + 1
    sha = hashlib.sha256(content).hexdigest()
    key = f"{tenant_id}/{evidence.id}/{number}"
    path = Path(settings.data_dir) / "evidence" / key
    _store(path, content)
    written.append(path)
    revision = EvidenceRevision(
        tenant_id=tenant_id,
        evidence_id=evidence.id,
        revision=number,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=sha,
        storage_key=key,
        added_by=actor.label,
    )
    db.add(revision)
    evidence.title = name[:300]
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "upload",
        "evidence",
        evidence.id,
        after={
            "question_id": str(question_id),
            "revision": number,
            "filename": name,
            "sha256": sha,
            "size": len(content),
        },
    )
    return evidence, revision


def check_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise ServiceError(_("Escribe un enlace que empiece con http:// o https://."), field="url", status_code=422)
    return url


async def add_link_evidence(
    db: AsyncSession,
    tenant_id: UUID,
    assessment_id: UUID,
    question_id: UUID,
    *,
    url: str,
    title: str,
    comment: str,
    actor: Actor,
) -> Evidence:
    url = check_link(url)
    await _check_evidence_target(db, tenant_id, assessment_id, question_id)
    evidence = Evidence(
        tenant_id=tenant_id,
        assessment_id=assessment_id,
        question_id=question_id,
        kind="link",
        title=(title.strip() or url)[:300],
        url=url,
        comment=comment[:5000],
        added_by=actor.label,
    )
    db.add(evidence)
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "link", "evidence", evidence.id, after={"question_id": str(question_id), "url": url}
    )
    return evidence


async def get_evidence(db: AsyncSession, tenant_id: UUID, assessment_id: UUID, evidence_id: UUID) -> Evidence:
    row = await db.scalar(
        select(Evidence).where(
            Evidence.tenant_id == tenant_id,
            Evidence.assessment_id == assessment_id,
            Evidence.id == evidence_id,
            Evidence.deleted_at.is_(None),
        )
    )
    if row is None:
        raise NotFound()
    return row


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One piece of evidence as the questionnaire shows it (``Evidence``'s same fields)."""

    id: UUID
    question_id: UUID
    kind: str
    title: str
    url: str | None
    comment: str


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """One stored version of a file (``EvidenceRevision``'s same fields)."""

    revision: int
    size: int
    sha256: str


@dataclass(slots=True)
class EvidenceItem:
    evidence: EvidenceRow
    revisions: list[RevisionRow] = field(default_factory=list)

    @property
    def latest(self) -> RevisionRow | None:
        return self.revisions[-1] if self.revisions else None


async def evidence_by_question(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID
) -> dict[UUID, list[EvidenceItem]]:
    """The questionnaire's evidence by question, in one statement as plain rows (read after the
    session's pending changes are flushed, as ``questionnaire_context`` does)."""
    items: dict[UUID, EvidenceItem] = {}
    out: dict[UUID, list[EvidenceItem]] = {}
    for r in await queries.evidence_rows(await driver(db), tenant_id=tenant_id, assessment_id=assessment_id):
        item = items.get(r["id"])
        if item is None:
            ev = EvidenceRow(r["id"], r["question_id"], r["kind"], r["title"], r["url"], r["comment"])
            item = items[ev.id] = EvidenceItem(ev)
            out.setdefault(ev.question_id, []).append(item)
        if r["revision"] is not None:
            item.revisions.append(RevisionRow(r["revision"], r["size"], r["sha256"]))
    return out


async def revision_file(
    db: AsyncSession, settings: Any, tenant_id: UUID, assessment_id: UUID, evidence_id: UUID, revision: int | None
) -> tuple[EvidenceRevision, Path]:
    evidence = await get_evidence(db, tenant_id, assessment_id, evidence_id)
    stmt = select(EvidenceRevision).where(
        EvidenceRevision.tenant_id == tenant_id, EvidenceRevision.evidence_id == evidence.id
    )
    stmt = (
        stmt.where(EvidenceRevision.revision == revision)
        if revision
        else stmt.order_by(EvidenceRevision.revision.desc()).limit(1)
    )
    rev = await db.scalar(stmt)
    if rev is None:
        raise NotFound()
    path = Path(settings.data_dir) / "evidence" / rev.storage_key
    if not path.is_file():
        raise NotFound()
    return rev, path
