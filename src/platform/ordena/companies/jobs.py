"""The ``import_companies`` job: imports an uploaded CSV row by row with the form's rules.

Idempotent and resumable: rows are processed in batches; each batch's companies and the
progress counter (``done``) commit together, under a lock on the progress row. A redelivered
message (at-least-once) continues after the last committed batch, and one that arrives after
the job finished does nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ordena.audit.services import Actor
from ordena.companies import services
from ordena.companies.csv_import import CsvInvalid, parse
from ordena.jobs import progress
from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.lib.i18n import _, lazy, use_locale
from ordena.settings import Settings
from ordena.tenancy.firms import firm_by_id

KIND = "import_companies"
BATCH = 50
MAX_REPORTED_ERRORS = 1000

progress.register_kind(KIND, lazy("Importación de empresas"), "/companies", lazy("Ver empresas"))


def field_label(field: str) -> str:
    return {
        "name": _("Nombre"),
        "ruc": _("RUC"),
        "country": _("País"),
        "industry_section": _("Sección CIIU"),
        "industry_division": _("División CIIU"),
        "size_band": _("Tamaño"),
        "employees": _("Trabajadores"),
        "contact_name": _("Contacto"),
        "contact_email": _("Correo del contacto"),
    }.get(field, field)


def _reason(errors: dict[str, str], rename: dict[str, str] | None = None) -> str:
    parts = []
    for field, message in errors.items():
        field = (rename or {}).get(field, field)
        parts.append(message if field == "__all__" else f"{field_label(field)}: {message}")
    return "; ".join(parts)


class _RowRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def import_row(
    db: Any, tenant_id: UUID, actor: Actor, values: dict[str, str], *, settings: Settings | None = None
) -> str | None:
    """Import one row; returns the reason it was refused (in the current language) or None."""
    if values.get("__extra__"):
        return _("La fila tiene más columnas que el encabezado.")
    contact_name, contact_email = values.get("contact_name", ""), values.get("contact_email", "")
    try:
        # A savepoint per row: a refused row leaves nothing behind and the batch goes on.
        async with db.begin_nested():
            try:
                company = await services.create_company(db, tenant_id, actor, values, settings=settings)
            except services.CompanyInvalid as exc:
                raise _RowRefused(_reason(exc.errors.fields)) from exc
            if contact_name or contact_email:
                try:
                    await services.add_contact(
                        db, tenant_id, actor, company, {"name": contact_name or contact_email, "email": contact_email}
                    )
                except services.CompanyInvalid as exc:
                    raise _RowRefused(
                        _reason(exc.errors.fields, {"name": "contact_name", "email": "contact_email"})
                    ) from exc
    except _RowRefused as refused:
        return refused.reason
    return None


@job(KIND)
async def import_companies(tenant_id: str, job_id: str) -> None:
    tid, jid = UUID(tenant_id), UUID(job_id)
    database = worker_database()
    async with database.session(tenant_id=tid) as db:
        tenant = await firm_by_id(db, tid)
        locale = tenant.locale if tenant is not None else "es"
    with use_locale(locale):
        while True:
            async with database.session(tenant_id=tid) as db:
                row = await progress.lock(db, tid, jid)
                if row is None or row.status in (progress.DONE, progress.FAILED):
                    return  # unknown or already finished: nothing to do (idempotent)
                data = progress.job_input(row)
                try:
                    parsed = parse(str(data.get("csv", "")))
                except CsvInvalid as exc:  # checked at upload; only a corrupted row gets here
                    progress.update(row, status=progress.FAILED, message=exc.message)
                    progress.drop_input(row)
                    await db.commit()
                    return
                actor = Actor(
                    UUID(data["actor_id"]) if data.get("actor_id") else None, str(data.get("actor_label", "import"))
                )
                report: dict[str, Any] = {
                    k: row.result.get(k) for k in ("imported", "errors", "errors_truncated") if k in row.result
                }
                imported = int(report.get("imported") or 0)
                errors: list[dict[str, Any]] = list(report.get("errors") or [])
                truncated = bool(report.get("errors_truncated"))
                start = row.done
                batch = parsed.rows[start : start + BATCH]
                for line, values in batch:
                    reason = await import_row(db, tid, actor, values, settings=worker_settings())
                    if reason is None:
                        imported += 1
                    elif len(errors) < MAX_REPORTED_ERRORS:
                        errors.append({"line": line, "message": reason})
                    else:
                        truncated = True
                done = start + len(batch)
                finished = done >= len(parsed.rows)
                progress.update(
                    row,
                    total=len(parsed.rows),
                    done=done,
                    status=progress.DONE if finished else progress.RUNNING,
                    imported=imported,
                    errors=errors,
                    errors_truncated=truncated,
                    error_count=(len(parsed.rows) if finished else done) - imported,
                )
                if finished:
                    progress.drop_input(row)
                await db.commit()
                if finished:
                    return
