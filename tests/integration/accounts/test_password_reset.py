"""Forgotten password: an emailed single-use link, a new password, every old session ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from ordena.accounts import services
from ordena.accounts.models import LinkToken
from ordena.lib.tokens import digest
from ordena.tenancy.models import Role
from tests.conftest import BASE_URL
from tests.factories import PASSWORD, make_firm
from tests.integration.accounts.helpers import follow_link, last_email, link_in_last_email, put_cookie

SESSION = "ordena_session"
NEW_PASSWORD = "a-brand-new-secret-42"


def _path(url: str) -> str:
    assert url.startswith(BASE_URL + "/links/"), url
    return url.removeprefix(BASE_URL)


async def test_a_user_resets_a_forgotten_password_end_to_end(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    email = firm.email(Role.CONSULTANT)
    # Another device is signed in before the reset.
    await client.login(email, PASSWORD)
    other_device = client.cookies.get(SESSION)
    await client.post("/logout", {})
    client.csrf = None

    response = await client.post("/password/forgot", {"email": email})
    assert response.status_code == 200
    assert "te enviamos un enlace" in response.text
    url = await link_in_last_email(database, email)

    response = await follow_link(client, _path(url))
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password?reset=1"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = await client.get("/account/password?reset=1")
    assert page.status_code == 200
    assert 'name="current"' not in page.text  # no old password needed
    response = await client.post("/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303

    put_cookie(client, SESSION, other_device)
    stale = await client.get(f"/w/{firm.slug}", follow_redirects=False)
    assert stale.status_code == 303 and stale.headers["location"].startswith("/login")

    client.cookies.clear()
    client.csrf = None
    assert (await client.post("/login", {"email": email, "password": PASSWORD})).status_code == 400
    await client.login(email, NEW_PASSWORD)
    assert (await client.get(f"/w/{firm.slug}")).status_code == 200


async def test_a_reset_link_does_not_bypass_the_old_password_for_later_changes(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    page = await client.get("/account/password?reset=1")  # the query string alone grants nothing
    assert 'name="current"' in page.text
    response = await client.post("/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "La contraseña actual no es correcta." in response.text


async def test_asking_for_a_reset_of_an_unknown_email_looks_the_same_and_sends_nothing(
    client: Any, database: Any
) -> None:
    response = await client.post("/password/forgot", {"email": "nobody.here@example.com"})
    assert response.status_code == 200
    assert "te enviamos un enlace" in response.text
    assert await last_email(database, "nobody.here@example.com") is None


async def test_reset_links_are_built_from_the_configured_base_url_not_the_host_header(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    response = await client.post(
        "/password/forgot", {"email": email}, headers={"host": "evil.example", "x-forwarded-host": "evil.example"}
    )
    assert response.status_code == 200
    sent = await last_email(database, email)
    assert sent is not None
    assert "evil.example" not in sent.text_body and "evil.example" not in sent.html_body
    assert (await link_in_last_email(database, email)).startswith(BASE_URL + "/links/")


async def test_a_reused_reset_link_is_refused_with_a_friendly_page(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    await client.post("/password/forgot", {"email": email})
    path = _path(await link_in_last_email(database, email))
    assert (await follow_link(client, path)).status_code == 303
    again = await client.get(path, follow_redirects=False)
    assert again.status_code == 410
    assert "Este enlace ya no es válido" in again.text
    assert again.headers["referrer-policy"] == "no-referrer"


async def test_an_expired_reset_link_is_refused_with_a_friendly_page(client: Any, database: Any, migrated: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    async with database.session() as db:
        url = await services.issue_link(
            db,
            migrated,
            purpose=services.PASSWORD_RESET,
            email=firm.email(Role.VIEWER),
            user_id=firm.users[Role.VIEWER].id,
            ttl=dt.timedelta(seconds=-1),
        )
        await db.commit()
    response = await client.get(_path(url), follow_redirects=False)
    assert response.status_code == 410
    assert "Este enlace ya no es válido" in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    assert SESSION not in client.cookies


async def test_a_link_is_stored_only_as_a_hash(database: Any, migrated: Any) -> None:
    async with database.session() as db:
        url = await services.issue_link(db, migrated, purpose=services.PASSWORD_RESET, email="hash.check@example.com")
        await db.commit()
    secret = url.rsplit("/", 1)[1]
    assert len(secret) >= 22  # ≥ 128 bits, URL-safe base64
    async with database.session() as db:
        row = await db.scalar(select(LinkToken).where(LinkToken.token_hash == digest(secret)))
        assert row is not None and secret.encode() not in row.token_hash


async def test_an_unknown_link_is_refused_with_a_friendly_page(client: Any) -> None:
    response = await client.get("/links/this-is-not-a-real-link-secret", follow_redirects=False)
    assert response.status_code == 410
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_an_attacker_cannot_flood_a_victims_inbox_with_reset_emails(client: Any, database: Any) -> None:
    from sqlalchemy import func

    from ordena.accounts.routes import RESET_MAILS_PER_15MIN
    from ordena.mail.models import Email

    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    for _ in range(RESET_MAILS_PER_15MIN + 1):
        response = await client.post("/password/forgot", {"email": email})
        assert response.status_code == 200 and "te enviamos un enlace" in response.text
    async with database.session() as db:
        sent = await db.scalar(select(func.count()).select_from(Email).where(Email.to == email))
    assert sent == RESET_MAILS_PER_15MIN


async def test_a_reset_session_left_open_on_a_shared_computer_needs_the_password_after_an_hour(
    client: Any, database: Any
) -> None:
    from sqlalchemy import update

    from ordena.accounts.models import UserSession
    from ordena.lib.clock import now

    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    await client.post("/password/forgot", {"email": email})
    url = await link_in_last_email(database, email)
    assert (await follow_link(client, _path(url))).status_code == 303
    assert 'name="current"' not in (await client.get("/account/password")).text
    # The next person at the computer comes back later.
    async with database.session() as db:
        await db.execute(
            update(UserSession)
            .where(UserSession.token_hash == digest(client.cookies.get(SESSION)))
            .values(created_at=now() - dt.timedelta(hours=2))
        )
        await db.commit()
    page = await client.get("/account/password?reset=1")
    assert 'name="current"' in page.text
    response = await client.post("/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "La contraseña actual no es correcta." in response.text


async def test_a_mail_scanner_opening_the_reset_link_twice_uses_nothing_and_the_button_still_works(
    client: Any, database: Any
) -> None:
    """Mail scanners and link previews open links with GET: that must change nothing."""
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    await client.post("/password/forgot", {"email": email})
    path = _path(await link_in_last_email(database, email))
    client.cookies.clear()
    client.csrf = None
    for _ in range(2):
        scanned = await client.get(path, follow_redirects=False)
        assert scanned.status_code == 200
        assert f'action="{path}"' in scanned.text
        assert scanned.headers["referrer-policy"] == "no-referrer"
        assert SESSION not in client.cookies
    response = await client.post(path, {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password?reset=1"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = await client.get("/account/password?reset=1")
    assert 'name="current"' not in page.text

    # Used: posting it again (or opening it) gives the clear page, not a session.
    client.cookies.clear()
    client.csrf = None
    again = await client.post(path, {}, follow_redirects=False)
    assert again.status_code == 410
    assert "Este enlace ya no es válido" in again.text
    assert SESSION not in client.cookies
    assert (await client.get(path, follow_redirects=False)).status_code == 410
