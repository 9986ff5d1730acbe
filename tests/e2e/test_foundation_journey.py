"""The foundation, end to end in Chromium: a firm signs up, its owner comes back, reads the app in
English, and invites a colleague who joins through the emailed link."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import E2E_PASSWORD, PHONE, log_in, log_out

pytestmark = pytest.mark.e2e


def test_owner_signs_up_comes_back_in_english_and_invites_a_colleague_who_joins(
    live_url: str, new_page: Any, sign_up_firm: Any, newest_email: Any, screenshot: Any
) -> None:
    page = new_page()

    # A visitor finds the landing page in Spanish and goes to sign up.
    page.goto(live_url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.click("main a[href='/signup']")
    page.wait_for_url("**/signup")
    # The form explains itself and reports mistakes next to the field.
    page.fill("#f-slug", "No Vale!")
    page.click("main form button[type=submit]")
    assert page.locator(".field-error").count() >= 1
    screenshot(page, "signup-es")

    # Signing up opens the firm's dashboard, with next steps for an empty firm.
    firm = sign_up_firm(page)
    assert page.locator("header .brand").inner_text().strip() == firm.firm_name
    assert page.get_by_role("heading", name="Primeros pasos").is_visible()
    screenshot(page, "dashboard-es")

    # The owner logs out and back in, and returns to the firm.
    log_out(page)
    assert page.locator("header a[href='/login']").is_visible()
    log_in(page, live_url, firm.email, firm.password)
    page.wait_for_url(f"**{firm.path}")

    # The phone layout keeps the header usable.
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    log_in(phone, live_url, firm.email, firm.password)
    phone.wait_for_url(f"**{firm.path}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "dashboard-mobile-es")

    # The language switch turns the whole page into English.
    page.click("header .lang-switch button[lang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Getting started").is_visible()
    assert page.locator("header nav").get_by_text("Members").is_visible()
    assert "Primeros pasos" not in page.content()
    screenshot(page, "dashboard-en")

    # Back to Spanish, the owner invites a colleague from the Members page.
    page.click("header .lang-switch button[lang=es]")
    page.wait_for_load_state()
    page.goto(live_url + firm.path + "/members")
    colleague = f"mateo.{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#f-email", colleague)
    page.select_option("#f-role", "consultant")
    page.click("form[action$='/members/invite'] button[type=submit]")
    page.wait_for_load_state()
    assert colleague in page.locator(".flash").inner_text()

    # The development outbox keeps the invitation, which names the firm.
    page.goto(live_url + "/dev/outbox")
    row = page.locator("tbody tr", has_text=colleague)
    assert row.count() == 1
    screenshot(page, "outbox-es")
    row.locator("a").click()
    page.wait_for_load_state()
    assert firm.firm_name in page.locator("h1").inner_text()
    mail = newest_email(colleague)
    assert mail is not None and mail.template == "invitation"
    assert firm.firm_name in mail.subject and firm.firm_name in mail.text_body

    # A mail scanner fetches the link twice first (plain GETs, no clicks): that uses nothing.
    scanner = new_page()
    assert scanner.request.get(mail.link()).status == 200
    assert scanner.request.get(mail.link()).status == 200

    # The colleague opens the link in their own browser, confirms with the button, chooses a
    # password and is in the firm.
    other = new_page()
    other.goto(mail.link())
    assert other.locator("form[action^='/links/'] button[type=submit]").count() == 1
    screenshot(other, "invitation-confirm-es")
    other.click("form[action^='/links/'] button[type=submit]")
    other.wait_for_url(re.compile(r".*/account/password\?reset=1$"))
    other.fill("#f-name", "Mateo Colega")
    other.fill("#f-password", E2E_PASSWORD + "-mateo")
    other.fill("#f-confirm", E2E_PASSWORD + "-mateo")
    other.click("main form button[type=submit]")
    other.wait_for_url(f"**{firm.path}")
    assert other.locator("header .brand").inner_text().strip() == firm.firm_name
    assert "Consultor" in other.locator("main").inner_text()

    # The owner sees the new member in the list, with their role ready to change in one line.
    page.goto(live_url + firm.path + "/members")
    row = page.locator("tbody tr", has_text=colleague)
    assert row.count() == 1
    select, button = row.locator(".role-form select"), row.locator(".role-form button")
    assert select.input_value() == "consultant"
    assert abs(select.bounding_box()["y"] - button.bounding_box()["y"]) < 20, (
        "role select and its button sit on one line"
    )
    screenshot(page, "members-es")


def test_foundation_pages_load_without_script_errors_or_security_policy_violations(
    live_url: str, new_page: Any, sign_up_firm: Any
) -> None:
    """The content security policy forbids inline styles and scripts: a page that breaks it
    shows a console error in the browser."""
    page = new_page(width=PHONE["width"], height=PHONE["height"])
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    firm = sign_up_firm(page)
    for path in ("", "/members", "/settings", "/audit"):
        page.goto(live_url + firm.path + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{path} is wider than a phone"
    for path in ("/account/tokens", "/account/password", "/dev/outbox", "/"):
        page.goto(live_url + path)
    # The account menu opens and stays on screen.
    page.goto(live_url + firm.path)
    page.click("header details.dropdown summary")
    menu = page.locator("header details.dropdown > ul").bounding_box()
    assert menu is not None and menu["x"] >= 0 and menu["x"] + menu["width"] <= PHONE["width"]
    assert not problems, "\n".join(problems)
