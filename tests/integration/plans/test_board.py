"""The plan board, timeline, the dashboard's plans at risk and the company's roll-up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ordena.audit.models import AuditEvent
from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.plans.models import Initiative
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.assessments.helpers import htmx
from tests.integration.plans.helpers_views import Item, depend, make_plan, published_with_scores

TODAY = now().date()


async def _plan(database: Database):  # type: ignore[no-untyped-def]
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    base = await published_with_scores(database, firm.id, {"ventas": "2.00"}, title="Diagnóstico 2024")
    plan, items = await make_plan(
        database,
        firm.id,
        base,
        [
            Item(
                "Embudo de ventas", priority=1, progress=50, status="in_progress", due_on=TODAY - dt.timedelta(days=3)
            ),
            Item("Política de precios", priority=2, due_on=TODAY + dt.timedelta(days=5), start_on=TODAY),
            Item("Canal único", priority=3, status="blocked", due_on=TODAY + dt.timedelta(days=40)),
            Item("Manual comercial", priority=4, status="done", due_on=TODAY - dt.timedelta(days=10)),
            Item("Tablero comercial", priority=2, due_on=TODAY + dt.timedelta(days=60)),
        ],
    )
    return firm, base, plan, items


async def test_board_moves_a_card_by_form_and_by_htmx_and_blocking_needs_a_reason(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm, _base, plan, items = await _plan(database)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    board = await client.get(f"/w/{firm.slug}/plans/{plan.id}/board")
    assert board.status_code == 200
    assert board.text.count('class="board-column') == 4 and "⚠ Vencida" in board.text
    url = f"/w/{firm.slug}/plans/{plan.id}/initiatives/{items[1].id}/status"
    # Without JavaScript: the form posts and the page comes back with a message.
    moved = await client.post(url, {"status": "done"})
    assert moved.status_code == 303
    refused = await client.post(url, {"status": "blocked", "blocked_reason": "  "})
    assert refused.status_code == 422 and "Explica qué bloquea la iniciativa." in refused.text
    # htmx: only the board comes back.
    fragment = await client.post(url, {"status": "blocked", "blocked_reason": "Sin presupuesto"}, headers=htmx(client))
    assert fragment.status_code == 200 and 'id="board"' in fragment.text and "<html" not in fragment.text
    async with database.session(tenant_id=firm.id) as db:
        i = await db.scalar(select(Initiative).where(Initiative.id == items[1].id))
        assert i is not None and (i.status, i.blocked_reason, i.completed_at) == ("blocked", "Sin presupuesto", None)
        events = list(
            await db.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == str(items[1].id)).order_by(AuditEvent.created_at)
            )
        )
    assert [e.after["status"] for e in events] == ["done", "blocked"]


async def test_viewer_reads_the_board_but_cannot_move_cards_and_another_firm_gets_404(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm, _base, plan, items = await _plan(database)
    other = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/plans/{plan.id}/board")
    assert page.status_code == 200 and "card-status" not in page.text
    assert (
        await client.post(f"/w/{firm.slug}/plans/{plan.id}/initiatives/{items[0].id}/status", {"status": "done"})
    ).status_code == 403
    await client.login(other.email(Role.OWNER), PASSWORD)
    for path in ("board", "timeline"):
        assert (await client.get(f"/w/{other.slug}/plans/{plan.id}/{path}")).status_code == 404
    r = await client.post(f"/w/{other.slug}/plans/{plan.id}/initiatives/{items[0].id}/status", {"status": "done"})
    assert r.status_code == 404


async def test_timeline_draws_dated_initiatives_with_dependency_arrows_and_a_legend(database: Database, client) -> None:  # type: ignore[no-untyped-def]
    firm, _base, plan, items = await _plan(database)
    await depend(database, firm.id, items[1], items[0])
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/plans/{plan.id}/timeline")
    assert page.status_code == 200
    svg = page.text
    assert "chart-timeline" in svg and 'marker-end="url(#tl-arrow)"' in svg
    assert "! Embudo de ventas" in svg  # overdue: marked by text, not colour alone
    assert "Canal único (bloqueada)" in svg
    assert "Vencida: rayada y con «!»" in svg
    assert "«Política de precios» empieza cuando «Embudo de ventas» esté hecha." in svg


async def test_dashboard_lists_plans_at_risk_and_company_page_rolls_up_progress_by_priority(
    database: Database, client
) -> None:  # type: ignore[no-untyped-def]
    firm, base, plan, _items = await _plan(database)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    home = await client.get(f"/w/{firm.slug}")
    assert "Planes en riesgo" in home.text
    risk = home.text.split('id="plans-at-risk"')[1].split("</section>")[0]
    # Overdue, then blocked, then due within 7 days; done and far-off ones are left out.
    assert risk.index("Embudo de ventas") < risk.index("Canal único") < risk.index("Política de precios")
    assert "Manual comercial" not in risk and "Tablero comercial" not in risk
    assert f"/plans/{plan.id}/board" in risk
    company = await client.get(f"/w/{firm.slug}/companies/{base.company_id}")
    # weights 4,3,2,1,3 → (4·50 + 3·0 + 2·0 + 1·100 + 3·0) / 13 = 300/13 = 23.08 → 23.1 %
    assert "23.1 %" in company.text and "1<small> / 5</small>" in company.text
    assert "prioridad 1 pesa 4" in company.text
