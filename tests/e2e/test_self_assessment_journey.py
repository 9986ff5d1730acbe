"""The self-assessment, end to end in Chromium: a consultant sets up a client company and a
self-assessment, the client contact receives the invitation over real SMTP, answers in two
sittings, submits; the consultant validates and publishes; the contact reads the results."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from ordena.tenancy.models import Role
from tests.e2e.conftest import PHONE, MailedLiveServer, log_in
from tests.factories import PASSWORD, make_firm

pytestmark = pytest.mark.e2e

PROGRESS = re.compile(r"(\d+) de (\d+) respondidas")


def _progress(page: Any) -> tuple[int, int]:
    match = PROGRESS.search(page.locator(".progress-row").first.inner_text())
    assert match, "the page shows how many questions are answered"
    return int(match.group(1)), int(match.group(2))


def _watch_console(page: Any, problems: list[str]) -> None:
    """Script errors, security-policy violations and failed requests (except the browser's own
    /favicon.ico probe: the app declares no icon)."""

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"{page.url}: {msg.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on("response", on_response)


def _make_firm(server: MailedLiveServer) -> Any:
    from ordena.db.engine import Database

    async def go() -> Any:
        database = Database.connect(server.server.settings)
        try:
            return await make_firm(
                database, roles=(Role.OWNER, Role.CONSULTANT), name=f"Estudio Andino {uuid.uuid4().hex[:6]}"
            )
        finally:
            await database.dispose()

    return server.server.run(go())


def test_client_answers_the_emailed_self_assessment_in_two_sittings_and_reads_the_published_results(
    smtp_live_server: MailedLiveServer, new_page: Any, screenshot: Any
) -> None:
    url = smtp_live_server.url
    firm = _make_firm(smtp_live_server)
    base = f"/w/{firm.slug}"
    problems: list[str] = []

    # A consultant of the firm signs in and registers a client company.
    consultant = new_page()
    _watch_console(consultant, problems)
    log_in(consultant, url, firm.email(Role.CONSULTANT), PASSWORD)
    consultant.wait_for_url(f"**{base}")
    consultant.goto(url + base + "/companies/new")
    consultant.fill("#f-name", "Comercial Los Andes S.A.C.")
    consultant.select_option("#f-industry_section", "G")
    consultant.select_option("#f-size_band", "pequena")
    consultant.click("main form button[type=submit]")
    consultant.wait_for_url(re.compile(rf".*{base}/companies/[0-9a-f-]{{36}}$"))

    # …adds the person who will answer for the client…
    contact_email = f"rosa.{uuid.uuid4().hex[:8]}@example.com"
    consultant.click("summary:has-text('Añadir contacto')")
    contact_form = consultant.locator("form[action$='/contacts']")
    contact_form.locator("#f-name").fill("Rosa Huamán")
    contact_form.locator("#f-email").fill(contact_email)
    contact_form.locator("#f-position").fill("Gerente de operaciones")
    contact_form.locator("button[type=submit]").click()
    consultant.wait_for_load_state()
    assert contact_email in consultant.locator("main").inner_text()

    # …creates a self-assessment and invites her.
    consultant.click("main a:has-text('Nueva evaluación')")
    consultant.check("input[name=kind][value=self]")
    consultant.click("main form button[type=submit]")
    consultant.wait_for_url(re.compile(rf".*{base}/assessments/[0-9a-f-]{{36}}$"))
    overview = consultant.url
    consultant.locator("#invite label", has_text="Rosa Huamán").locator("input[type=checkbox]").check()
    consultant.click("#invite button[type=submit]")
    consultant.wait_for_load_state()
    assert "Invitaciones enviadas: 1." in consultant.locator(".flash").inner_text()

    # The invitation reaches the SMTP server, sent by the worker, in Spanish, naming the firm.
    mail = smtp_live_server.wait_for_mail(contact_email)
    assert firm.tenant.name in mail.subject + mail.text_body
    assert mail.link().startswith(url + "/links/")

    # The contact opens the link in her own browser: no password, one click to her questionnaire.
    client = new_page()
    _watch_console(client, problems)
    client.goto(mail.link())
    client.click("main form button[type=submit]")  # the link's page: one button, a POST
    client.wait_for_url(re.compile(r".*/c/assessments/[0-9a-f-]{36}$"))
    home = client.url
    assert "Comercial Los Andes S.A.C." in client.locator("main").inner_text()
    client.click("main a[role=button]:has-text('Empezar')")
    client.wait_for_url("**/q/**")
    answered, total = _progress(client)
    assert answered == 0 and total >= 10

    # First sitting: she answers about half the questions; each choice saves itself.
    level = 0
    while answered < total // 2:
        for question in client.locator("article.question").all():
            if answered >= total // 2:
                break
            level = level % 5 + 1
            question.locator(f"input[type=radio][value='{level}']").check()
            question.locator(".save-status .saved").wait_for()
            answered += 1
        if answered < total // 2:
            client.locator(".dim-nav a[aria-current=page]").locator("xpath=../following-sibling::li[1]/a").click()
            client.wait_for_load_state()
    screenshot(client, "questionnaire-es")

    # She comes back later (a reload): her answers are kept.
    client.goto(home)
    assert _progress(client) == (answered, total)
    client.click("main a[role=button]:has-text('Continuar')")
    client.wait_for_load_state()
    assert client.locator("article.question input[type=radio]:checked").count() >= 1

    # Second sitting: the rest, with the page's own "Guardar y seguir" (works without JavaScript).
    while True:
        for question in client.locator("article.question").all():
            if question.locator("input[type=radio]:checked").count() == 0:
                question.locator("input[type=radio][value='3']").check()
        forward = client.locator(".save-bar button[name=next]")
        if forward.count() == 0:
            client.click(".save-bar button[type=submit]:not([name])")
            client.wait_for_load_state()
            break
        forward.click()
        client.wait_for_load_state()
    assert _progress(client) == (total, total)

    # Phone: the questionnaire fits the screen.
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    phone.context.add_cookies(client.context.cookies())
    phone.goto(client.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "questionnaire wider than a phone"
    screenshot(phone, "questionnaire-mobile-es")

    # She reviews and submits; the page thanks her and no longer offers changes.
    client.goto(home)
    assert _progress(client) == (total, total)
    client.once("dialog", lambda dialog: dialog.accept())
    client.click("form[action$='/submit'] button[type=submit]")
    client.wait_for_load_state()
    assert "Gracias" in client.locator(".flash[role=status]").inner_text()
    assert client.locator("form[action$='/submit']").count() == 0

    # The consultant finds the assessment submitted, validates it and publishes the results.
    consultant.goto(overview)
    assert consultant.locator("hgroup .badge").inner_text().strip() == "Enviada"
    for action, status in (("validate", "Validada"), ("publish", "Publicada")):
        consultant.once("dialog", lambda dialog: dialog.accept())
        consultant.click(f"form:has(input[name=action][value={action}]) button[type=submit]")
        consultant.wait_for_load_state()
        assert consultant.locator("hgroup .badge").inner_text().strip() == status

    # The contact sees the published results, with a radar chart per pillar.
    client.goto(home)
    results_link = client.locator("main a[href$='/results']")
    assert results_link.count() == 1
    results_link.click()
    client.wait_for_url("**/results")
    assert client.get_by_role("heading", name="Resultados", exact=True).is_visible()
    radar = client.locator("figure.chart-figure svg")
    assert radar.count() >= 1 and radar.first.is_visible()
    screenshot(client, "results-es")

    phone.goto(client.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "results wider than a phone"
    screenshot(phone, "results-mobile-es")

    assert not problems, "\n".join(problems)
