"""A client contact always gets back in: a mail scanner opening the link first uses nothing up,
a contact without a session asks for a fresh link (delivered over real SMTP) and signs in with
it, and signing out from a contact page leaves the old cookie reaching nothing."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from ordena.assessments.invitations import invite_contacts
from ordena.assessments.lifecycle import NewAssessment, create_assessment
from ordena.audit.services import Actor
from ordena.companies.models import Company, Contact
from ordena.db.engine import Database
from ordena.tenancy.models import Role, Tenant
from tests.e2e.conftest import PHONE, MailedLiveServer
from tests.factories import make_firm

pytestmark = pytest.mark.e2e

CONTACT_HOME = re.compile(r".*/c/assessments/[0-9a-f-]{36}$")


def _invited_contact(server: MailedLiveServer, email: str) -> str:
    """A firm, a client company, a self-assessment and one invited contact (through the same
    services as the pages); returns the firm's name."""

    async def go() -> str:
        database = Database.connect(server.server.settings)
        try:
            firm = await make_firm(database, roles=(Role.OWNER,), name=f"Estudio Andino {uuid.uuid4().hex[:6]}")
            owner = firm.users[Role.OWNER]
            actor = Actor(owner.id, owner.email)
            async with database.session(tenant_id=firm.id) as db:
                company = Company(
                    tenant_id=firm.id, name="Comercial Los Andes S.A.C.", industry_section="G", size_band="pequena"
                )
                db.add(company)
                await db.flush()
                contact = Contact(tenant_id=firm.id, company_id=company.id, name="Rosa Huamán", email=email)
                db.add(contact)
                await db.flush()
                a = await create_assessment(db, firm.id, actor, NewAssessment(company_id=company.id, kind="self"))
                tenant = await db.get(Tenant, firm.id)
                await invite_contacts(db, server.server.settings, tenant, actor, a.id, [contact.id])
                await db.commit()
            return str(firm.tenant.name)
        finally:
            await database.dispose()

    return server.server.run(go())


def test_a_contact_gets_back_in_after_a_scanner_and_with_a_fresh_link_and_signs_out(
    smtp_live_server: MailedLiveServer, new_page: Any, screenshot: Any
) -> None:
    email = f"rosa.{uuid.uuid4().hex[:8]}@example.com"
    firm_name = _invited_contact(smtp_live_server, email)
    invitation = smtp_live_server.wait_for_mail(email)
    assert "vence en 7 días" in invitation.text_body and "horas" not in invitation.text_body

    # A mail scanner fetches the link before Rosa does (a plain GET, no clicks).
    scanner = new_page()
    assert scanner.request.get(invitation.link()).status == 200

    # Rosa still gets in with one click.
    rosa = new_page()
    rosa.goto(invitation.link())
    assert rosa.locator("h1").inner_text() == "Entrar a tu autoevaluación"
    rosa.click("main form button[type=submit]")
    rosa.wait_for_url(CONTACT_HOME)
    home = rosa.url
    header = rosa.locator("header").inner_text()
    assert "Rosa Huamán" in header and firm_name in header

    # She signs out from her page; the old cookie reaches nothing any more.
    old = {c["name"]: c for c in rosa.context.cookies()}["ordena_session"]
    rosa.click("header form[action='/logout'] button")
    rosa.wait_for_url("**/c/link")
    assert "Cerraste sesión" in rosa.locator("main").inner_text()
    rosa.context.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path")}])
    rosa.goto(home)
    assert rosa.url.endswith("/c/link") and "Rosa" not in rosa.locator("body").inner_text()

    # Another day, on her phone, without a session: she asks for a fresh link.
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    phone.goto(home)
    phone.wait_for_url("**/c/link")
    received = len(smtp_live_server.inbox.to(email))
    phone.fill("#f-email", email)
    phone.click("main form button[type=submit]")
    assert "le enviamos un enlace nuevo" in phone.locator("main [role=status]").inner_text()
    deadline = time.monotonic() + 20
    while len(smtp_live_server.inbox.to(email)) == received and time.monotonic() < deadline:
        time.sleep(0.1)
    fresh = smtp_live_server.wait_for_mail(email)
    assert fresh.link() != invitation.link() and "enlace nuevo" in fresh.text_body
    phone.goto(fresh.link())
    phone.click("main form button[type=submit]")
    phone.wait_for_url(CONTACT_HOME)
    assert "Rosa Huamán" in phone.locator("header").inner_text()
    screenshot(phone, "contact-signed-in-phone")

    # The fresh link, opened again on the computer, offers another link instead of a dead end.
    rosa.goto(fresh.link())
    assert rosa.locator("form[action='/c/link']").count() == 1
