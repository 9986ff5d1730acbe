"""The owner's view of the audit trail, and its CSV export."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import get
from litestar.params import FromQuery
from litestar.response import Stream, Template

from ordena.audit import readable, services
from ordena.audit.export import csv_chunks
from ordena.lib.clock import now
from ordena.lib.i18n import get_locale, use_locale
from ordena.lib.pagination import page_number
from ordena.web.deps import DB, Firm


@get("/w/{slug:str}/audit", opt={"access": "owner"}, name="audit")
async def audit_page(
    db: DB,
    firm: Firm,
    entity: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    raw: FromQuery[bool] = False,
    page: FromQuery[str | None] = None,
) -> Template:
    result = await services.list_events(
        db,
        firm.tenant_id,
        entity_type=entity or None,
        action=action or None,
        actor=actor or None,
        page=page_number(page),
        fold=not raw,
    )
    names = await readable.resolve(db, firm.tenant_id, [e.event for e in result.entries])
    kinds = await services.entity_types(db, firm.tenant_id)
    locale = get_locale()
    return Template(
        "audit/list.html",
        context={
            "result": result,
            "rows": readable.readable(result.entries, names, base=f"/w/{firm.tenant.slug}", firm_name=firm.tenant.name),
            "kinds": kinds,
            "entity_labels": readable.entity_labels(locale),
            "action_labels": readable.action_labels(locale),
            "filters": {"entity": entity or "", "action": action or "", "actor": actor or "", "raw": raw},
        },
    )


@get("/w/{slug:str}/audit.csv", opt={"access": "owner"}, name="audit_csv")
async def audit_csv(
    db: DB,
    firm: Firm,
    entity: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
) -> Stream:
    filters = services.AuditFilters(entity or None, action or None, actor or None)
    locale = get_locale()

    async def body() -> AsyncIterator[str]:
        # Streamed after the handler returns: the session starts a new read (bound to the firm
        # again), and the language is set again for the labels.
        with use_locale(locale):
            async for chunk in csv_chunks(
                db, firm.tenant_id, filters, base=f"/w/{firm.tenant.slug}", firm_name=firm.tenant.name
            ):
                yield chunk

    filename = f"auditoria-{firm.tenant.slug}-{now():%Y-%m-%d}.csv"
    return Stream(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [audit_page, audit_csv]
