"""The owner's view of the audit trail."""

from __future__ import annotations

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from ordena.audit import services
from ordena.lib.pagination import page_number
from ordena.web.deps import DB, Firm


@get("/w/{slug:str}/audit", opt={"access": "owner"}, name="audit")
async def audit_page(
    db: DB,
    firm: Firm,
    entity: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    actor: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
) -> Template:
    result = await services.list_events(
        db,
        firm.tenant_id,
        entity_type=entity or None,
        action=action or None,
        actor=actor or None,
        page=page_number(page),
    )
    kinds = await services.entity_types(db, firm.tenant_id)
    return Template(
        "audit/list.html",
        context={
            "result": result,
            "kinds": kinds,
            "filters": {"entity": entity or "", "action": action or "", "actor": actor or ""},
        },
    )


ROUTES = [audit_page]
