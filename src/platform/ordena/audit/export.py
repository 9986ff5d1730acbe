"""The audit log as a CSV file a spreadsheet opens safely: UTF-8 with a byte-order mark (Excel
in Spanish reads accents right only with it), and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit import readable as r
from ordena.audit.services import AuditEntry, AuditFilters, event_batches
from ordena.lib.i18n import _
from ordena.lib.safe_csv import BOM, safe_text


def change_text(change: r.Change) -> str:
    if change.before is None:
        return f"{change.field}: {change.after}"
    if change.after is None:
        return f"{change.field}: {change.before} → —"
    return f"{change.field}: {change.before} → {change.after}"


def header() -> list[str]:
    return [
        _("Fecha"),
        _("Usuario"),
        _("Registrado como"),
        _("Acción"),
        _("Tipo"),
        _("Entidad"),
        _("Identificador"),
        _("Cambios"),
    ]


def _line(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_text(cell) for cell in row] for row in rows)
    return out.getvalue()


async def csv_chunks(
    db: AsyncSession, tenant_id: UUID, filters: AuditFilters, *, base: str, firm_name: str
) -> AsyncIterator[str]:
    """The file in chunks, one per batch of events: every event (autosaves are not folded in an
    export), names resolved per batch."""
    yield BOM + _line([header()])
    async for batch in event_batches(db, tenant_id, filters):
        names = await r.resolve(db, tenant_id, batch)
        entries = r.readable([AuditEntry(e) for e in batch], names, base=base, firm_name=firm_name)
        yield _line(
            [
                [
                    e.at.isoformat(timespec="seconds"),
                    e.actor,
                    e.actor_detail,
                    e.action,
                    e.kind,
                    e.name,
                    e.event.entity_id,
                    "; ".join(change_text(c) for c in e.changes),
                ]
                for e in entries
            ]
        )
