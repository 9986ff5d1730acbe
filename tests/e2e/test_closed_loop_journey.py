"""The closed loop in Chromium, as #10 tells it: a consultant generates the plan of a published
assessment, moves an initiative on the board with the keyboard, assigns it to the client's
contact; the contact asks for a sign-in link, opens it and marks the initiative done; the company
is re-assessed from the first run and published; the progress page shows the completed
initiative against the score it moved."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ordena.assessments import answers, lifecycle
from ordena.assessments.models import Answer
from ordena.db.engine import Database
from ordena.frameworks.services import structure
from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, Email, LiveServer, log_in
from tests.factories import PASSWORD
from tests.integration.plans.helpers import PlanWorld, validated_assessment

pytestmark = pytest.mark.e2e


def _published_world(server: LiveServer) -> PlanWorld:
    async def go() -> PlanWorld:
        database = Database.connect(server.settings)
        try:
            return await validated_assessment(database, status="published")
        finally:
            await database.dispose()

    return server.run(go())


def _reassess_and_publish(server: LiveServer, world: PlanWorld) -> Any:
    """The consultant's re-assessment from the first run (its answers copied), with ventas moved
    up a level on every question, then submitted, validated and published."""

    async def go() -> Any:
        database = Database.connect(server.settings)
        try:
            async with database.session(tenant_id=world.tenant_id) as db:
                new = lifecycle.NewAssessment(
                    company_id=world.company_id, title="Reevaluación", baseline_id=world.assessment_id
                )
                second = await lifecycle.create_assessment(db, world.tenant_id, world.actor, new)
                copied = (await db.scalars(Answer.__table__.select().where(Answer.assessment_id == second.id))).all()
                assert copied, "the re-assessment starts from the first run's answers"
                tree = await structure(db, second.framework_version_id)
                for q in tree.dimension("ventas").questions:
                    await answers.save_answer(
                        db, world.tenant_id, second.id, q.id, answers.parse_answer("4"), world.actor
                    )
                for action in ("submit", "validate", "publish"):
                    await lifecycle.transition(
                        db, world.tenant_id, second.id, action, world.actor, confirm=True, reason="Solo lo medido"
                    )
                await db.commit()
                return second.id
        finally:
            await database.dispose()

    return server.run(go())


def test_from_the_plan_to_work_done_by_the_client_to_the_progress_page(
    live_server: LiveServer,
    live_url: str,
    new_page: Callable[..., Any],
    newest_email: Callable[[str], Email | None],
    screenshot: Callable[[Any, str], None],
) -> None:
    world = _published_world(live_server)
    slug = world.firm.slug
    consultant = new_page()
    log_in(consultant, live_url, world.firm.email(Role.CONSULTANT), PASSWORD)

    # Generate the plan from the published assessment.
    consultant.goto(f"{live_url}/w/{slug}/assessments/{world.assessment_id}")
    consultant.get_by_role("button", name="Generar plan de mejora").click()
    consultant.wait_for_load_state()
    plan_url = consultant.url.split("?")[0]
    plan_id = re.search(r"/plans/([0-9a-f-]{36})", plan_url).group(1)  # type: ignore[union-attr]

    # On the board, move the first pending "ventas" card to "in progress" with the keyboard.
    consultant.goto(f"{plan_url}/board")
    card = consultant.locator(".board-pending .board-card").first
    card_id = card.get_attribute("id")
    assert card_id
    card.focus()
    consultant.keyboard.press("ArrowRight")
    consultant.locator(f".board-in_progress #{card_id}").wait_for()
    initiative_id = card_id.removeprefix("card-")

    # Assign it to the client's contact.
    consultant.goto(f"{live_url}/w/{slug}/plans/{plan_id}/initiatives/{initiative_id}")
    consultant.select_option("#f-owner", f"contact:{world.contact_id}")
    consultant.get_by_role("button", name="Guardar").click()
    consultant.wait_for_load_state()
    assert consultant.url.startswith(plan_url)

    # The contact, on a phone, asks for a sign-in link, opens it and marks the initiative done.
    contact_email = live_server.query("SELECT email FROM contact WHERE id = $1", world.contact_id)[0]["email"]
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    phone.goto(f"{live_url}/c/link")
    phone.fill("input[name=email]", contact_email)
    phone.get_by_role("button", name="Enviarme un enlace").click()
    phone.wait_for_load_state()
    mail = newest_email(contact_email)
    assert mail is not None
    phone.goto(mail.link())
    phone.get_by_role("button", name=re.compile("Entrar")).click()
    phone.wait_for_load_state()
    phone.goto(f"{live_url}/c/initiatives")
    mine = phone.locator(f"#i-{initiative_id}")
    mine.locator("select[name=status]").select_option("done")
    mine.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    assert "Guardamos los cambios" in phone.locator("main").inner_text()
    screenshot(phone, "plans-contact-done-phone")

    # Re-assessed and published; the progress page tells the story.
    second_id = _reassess_and_publish(live_server, world)
    consultant.goto(f"{live_url}/w/{slug}/assessments/{second_id}/progress")
    text = consultant.locator("main").inner_text()
    assert "Avance desde la evaluación de base" in text
    done_title = live_server.query("SELECT title FROM initiative WHERE id = $1", initiative_id)[0]["title"]
    assert done_title in text, "the initiative the client completed is listed under its dimension"
