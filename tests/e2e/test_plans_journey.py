"""Plans in Chromium: the consultant moves a card on the board by keyboard and by drag and drop,
reads the timeline, and the re-assessment's progress page (es/en, desktop/phone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, LiveServer, log_in
from tests.factories import PASSWORD, make_firm
from tests.integration.plans.helpers_views import Item, depend, make_plan, published_with_scores

pytestmark = pytest.mark.e2e
TODAY = now().date()


def _world(server: LiveServer) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        database = Database.connect(server.settings)
        try:
            firm = await make_firm(database, roles=(Role.CONSULTANT,), name="Estudio Andino")
            base = await published_with_scores(
                database,
                firm.id,
                {
                    "ventas": "2.00",
                    "atencion_cliente": "1.50",
                    "administracion": "3.50",
                    "cumplimiento": "2.40",
                    "escalabilidad": "2.10",
                },
                title="Diagnóstico 2024",
                published_at=now() - dt.timedelta(days=300),
            )
            plan, items = await make_plan(
                database,
                firm.id,
                base,
                [
                    Item(
                        "Embudo de ventas con etapas",
                        "ventas",
                        "done",
                        start_on=TODAY - dt.timedelta(days=60),
                        due_on=TODAY - dt.timedelta(days=20),
                    ),
                    Item(
                        "Política de precios y descuentos",
                        "ventas",
                        "in_progress",
                        progress=60,
                        start_on=TODAY - dt.timedelta(days=15),
                        due_on=TODAY - dt.timedelta(days=2),
                    ),
                    Item(
                        "Canal único de atención",
                        "atencion_cliente",
                        "done",
                        start_on=TODAY - dt.timedelta(days=40),
                        due_on=TODAY - dt.timedelta(days=10),
                    ),
                    Item(
                        "Encuesta de satisfacción",
                        "atencion_cliente",
                        "pending",
                        start_on=TODAY + dt.timedelta(days=1),
                        due_on=TODAY + dt.timedelta(days=5),
                    ),
                    Item(
                        "Cierre contable mensual",
                        "administracion",
                        "blocked",
                        progress=20,
                        start_on=TODAY - dt.timedelta(days=5),
                        due_on=TODAY + dt.timedelta(days=30),
                    ),
                    Item(
                        "Matriz de cumplimiento",
                        "cumplimiento",
                        "done",
                        start_on=TODAY - dt.timedelta(days=30),
                        due_on=TODAY - dt.timedelta(days=5),
                    ),
                    Item(
                        "Procesos documentados",
                        "escalabilidad",
                        "pending",
                        start_on=TODAY + dt.timedelta(days=10),
                        due_on=TODAY + dt.timedelta(days=45),
                    ),
                ],
            )
            await depend(database, firm.id, items[3], items[2])
            await depend(database, firm.id, items[6], items[4])
            new = await published_with_scores(
                database,
                firm.id,
                {
                    "ventas": "3.25",
                    "atencion_cliente": "2.50",
                    "administracion": "3.00",
                    "cumplimiento": "2.40",
                    "escalabilidad": "2.60",
                },
                title="Diagnóstico 2025",
                company_id=base.company_id,
                baseline_id=base.id,
                targets={
                    "ventas": 3,
                    "atencion_cliente": 3,
                    "administracion": 3,
                    "cumplimiento": 4,
                    "escalabilidad": 3,
                },
            )
            return {"firm": firm, "plan": plan, "items": items, "new": new}
        finally:
            await database.dispose()

    return server.run(go())


def test_consultant_moves_cards_reads_the_timeline_and_the_progress_page(
    live_server: LiveServer, new_page: Any, screenshot: Any
) -> None:
    w = _world(live_server)
    firm, plan, items = w["firm"], w["plan"], w["items"]
    url = live_server.url
    page = new_page()
    log_in(page, url, firm.email(Role.CONSULTANT), PASSWORD)
    page.goto(f"{url}/w/{firm.slug}/plans/{plan.id}/board")
    # Keyboard: focus "Encuesta" (pending) and press → to move it to "in progress".
    card = page.locator(f"#card-{items[3].id}")
    card.focus()
    page.keyboard.press("ArrowRight")
    page.locator(f".board-in_progress #card-{items[3].id}").wait_for()
    assert page.evaluate("document.activeElement.id") == f"card-{items[3].id}"
    # Drag and drop: "Política de precios" to done ("Procesos documentados" could not go: it
    # waits for the blocked "Cierre contable", finish-to-start).
    page.drag_and_drop(f"#card-{items[1].id} h3", ".board-done h2")
    page.locator(f".board-done #card-{items[1].id}").wait_for()
    screenshot(page, "plans-board")
    page.goto(f"{url}/w/{firm.slug}/plans/{plan.id}/timeline")
    assert page.locator("svg.chart-timeline").count() == 1
    screenshot(page, "plans-timeline")
    progress = f"{url}/w/{firm.slug}/assessments/{w['new'].id}/progress"
    page.goto(progress)
    assert "Avance desde la evaluación de base" in page.locator("h1").inner_text()
    screenshot(page, "plans-progress-es")
    english = new_page(locale="en-US")
    log_in(english, url, firm.email(Role.CONSULTANT), PASSWORD)
    english.context.add_cookies([{"name": "ordena_lang", "value": "en", "url": url}])  # the language switch's choice
    english.goto(progress)
    assert "Progress since the baseline assessment" in english.locator("h1").inner_text()
    screenshot(english, "plans-progress-en")
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone, url, firm.email(Role.CONSULTANT), PASSWORD)
    phone.goto(progress)
    screenshot(phone, "plans-progress-phone")
    phone.goto(f"{url}/w/{firm.slug}")
    assert "Planes en riesgo" in phone.content()
    screenshot(phone, "plans-dashboard-phone")
