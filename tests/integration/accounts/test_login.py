"""Signing in and out: wrong passwords, throttling, fresh session ids, revocation, cookie flags."""

from __future__ import annotations

from typing import Any

from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm, unique
from tests.integration.accounts.helpers import cookie_attrs, put_cookie

SESSION = "ordena_session"  # the plain-http test settings drop the __Host- prefix
ANON = "ordena_anon"


async def test_a_wrong_password_shows_the_message_and_keeps_the_email(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    email = firm.email(Role.CONSULTANT)
    response = await client.post("/login", {"email": email, "password": "not-the-password-1", "next": "/"})
    assert response.status_code == 400
    assert "Correo o contraseña incorrectos." in response.text
    assert f'value="{email}"' in response.text
    assert "not-the-password-1" not in response.text
    assert SESSION not in client.cookies


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: Any) -> None:
    response = await client.post(
        "/login", {"email": f"{unique('nobody')}@example.test", "password": "whatever-123", "next": "/"}
    )
    assert response.status_code == 400
    assert "Correo o contraseña incorrectos." in response.text


async def test_too_many_wrong_passwords_are_throttled_even_with_the_right_one(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    for _ in range(5):  # the test settings allow 5 attempts per 15 minutes
        assert (await client.post("/login", {"email": email, "password": "wrong-password-0"})).status_code == 400
    response = await client.post("/login", {"email": email, "password": "wrong-password-0"})
    assert response.status_code == 429
    assert "Demasiados intentos" in response.text
    # Even the right password waits out the window: guessing cannot continue.
    assert (await client.post("/login", {"email": email, "password": PASSWORD})).status_code == 429


async def test_a_successful_login_resets_the_failed_attempts(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    for _ in range(4):
        await client.post("/login", {"email": email, "password": "wrong-password-0"})
    await client.login(email, PASSWORD)
    await client.post("/logout", {})
    client.csrf = None
    for _ in range(4):
        assert (await client.post("/login", {"email": email, "password": "wrong-password-0"})).status_code == 400


async def test_the_session_cookie_is_httponly_and_samesite_lax(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    response = await client.login(firm.email(Role.VIEWER), PASSWORD)
    header = cookie_attrs(response, SESSION).lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/" in header


async def test_login_issues_a_new_session_and_the_anonymous_state_cannot_be_reused(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    await client.get("/login")
    anon_before = client.cookies.get(ANON)
    csrf_before = client.csrf
    assert anon_before and csrf_before
    # An attacker-planted session cookie (fixation) is not adopted.
    put_cookie(client, SESSION, "planted-by-an-attacker-0123456789")
    response = await client.login(firm.email(Role.VIEWER), PASSWORD)
    session = client.cookies.get(SESSION)
    assert session and session != "planted-by-an-attacker-0123456789"
    # The pre-login anonymous cookie is dropped and its CSRF token no longer counts.
    assert "Max-Age=0" in cookie_attrs(response, ANON)
    refused = await client.post("/logout", {"_csrf": csrf_before})
    assert refused.status_code == 403
    assert (await client.get(f"/w/{firm.slug}")).status_code == 200


async def test_logging_in_again_rotates_the_session_and_revokes_the_previous_one(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER, Role.CONSULTANT))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    first = client.cookies.get(SESSION)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    second = client.cookies.get(SESSION)
    assert first and second and first != second
    put_cookie(client, SESSION, first)  # someone who copied the first cookie
    response = await client.get(f"/w/{firm.slug}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_logout_revokes_the_session_so_the_old_cookie_no_longer_opens_the_firm(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    old = client.cookies.get(SESSION)
    assert (await client.get(f"/w/{firm.slug}")).status_code == 200
    response = await client.post("/logout", {})
    assert response.status_code == 303
    assert "Max-Age=0" in cookie_attrs(response, SESSION)
    put_cookie(client, SESSION, old)  # replaying the cookie from before logout
    response = await client.get(f"/w/{firm.slug}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_login_only_redirects_to_local_pages(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    response = await client.post(
        "/login", {"email": firm.email(Role.VIEWER), "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_a_phishing_link_cannot_send_the_user_away_after_login_with_a_backslash_or_tab(
    client: Any, database: Any
) -> None:
    # Browsers read "/\evil.example" as "//evil.example" and drop tabs and newlines.
    firm = await make_firm(database, roles=(Role.VIEWER,))
    for target in ("/\\evil.example/x", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example"):
        client.cookies.clear()
        client.csrf = None
        response = await client.post("/login", {"email": firm.email(Role.VIEWER), "password": PASSWORD, "next": target})
        assert response.status_code == 303, target
        assert response.headers["location"] == "/", target
    form = await client.get("/login?next=/%5Cevil.example")
    assert '<input type="hidden" name="next" value="/">' in form.text
    switched = await client.post("/lang", {"lang": "en", "next": "/\\evil.example"})
    assert switched.headers["location"] == "/"


async def test_an_attacker_guessing_from_many_addresses_is_slowed_down_but_cannot_lock_the_owner_out(
    database: Any, migrated: Any, monkeypatch: Any
) -> None:
    """Issue 14, item 4: ~100 requests used to lock any account for 15 minutes. Beyond the
    per-account bar each guess now waits longer; the right password still gets in, at once from
    a browser that signed in to the account before."""
    from ordena.accounts import services

    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(services, "sleep", record)
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    bar = migrated.login_attempts_per_15min * services.ACCOUNT_ATTEMPTS_FACTOR
    async with database.session() as db:
        for i in range(bar + 6):
            # A new address for each guess: the per-address limit never trips.
            ip = f"10.1.{i // 250}.{i % 250}"
            assert await services.authenticate(db, migrated, email, "wrong-password-0", ip) is None
        assert waits[:3] == [0.25, 0.5, 1.0] and max(waits) == services.ACCOUNT_DELAY_MAX
        assert len(waits) == 6  # nothing waited below the bar
        waits.clear()
        owner = await services.authenticate(db, migrated, email, PASSWORD, "10.9.9.9", known_device=True)
        assert owner is not None and waits == []
    async with database.session() as db:
        for i in range(bar + 2):
            await services.authenticate(db, migrated, email, "wrong-password-0", f"10.2.{i // 250}.{i % 250}")
        waits.clear()
        stranger_device = await services.authenticate(db, migrated, email, PASSWORD, "10.9.9.8")
        assert stranger_device is not None and waits and waits[0] > 0  # slowed, not refused


async def test_signing_in_marks_the_browser_as_a_known_device_of_that_account(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    response = await client.login(firm.email(Role.VIEWER), PASSWORD)
    attrs = cookie_attrs(response, "ordena_device")
    assert "HttpOnly" in attrs and "Max-Age=31536000" in attrs
