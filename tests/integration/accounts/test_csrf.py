"""Unsafe requests need the form's CSRF token and must come from our own site."""

from __future__ import annotations

from typing import Any

from ordena.tenancy.models import Role
from tests.conftest import BASE_URL
from tests.factories import PASSWORD, make_firm


async def _logged_in_partner(client: Any, database: Any) -> Any:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    return firm


async def test_a_form_posted_without_the_csrf_token_is_refused(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    response = await client.post(
        f"/w/{firm.slug}/members/invite", {"email": "x@example.com", "role": "viewer"}, csrf=False
    )
    assert response.status_code == 403
    assert "Tu sesión del formulario expiró" in response.text


async def test_a_form_posted_with_a_wrong_csrf_token_is_refused(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    response = await client.post(
        f"/w/{firm.slug}/members/invite", {"email": "x@example.com", "role": "viewer", "_csrf": "forged-token"}
    )
    assert response.status_code == 403


async def test_an_htmx_request_may_send_the_token_in_a_header(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    token = await client.token()
    response = await client.post(
        f"/w/{firm.slug}/members/invite",
        {"email": "new.colleague@example.com", "role": "viewer"},
        csrf=False,
        headers={"x-csrf-token": token, "hx-request": "true"},
    )
    assert response.status_code == 303


async def test_the_login_form_is_protected_before_there_is_a_session(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    response = await client.post("/login", {"email": firm.email(Role.VIEWER), "password": PASSWORD}, csrf=False)
    assert response.status_code == 403


async def test_a_cross_site_form_post_is_refused_even_with_a_valid_token(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    response = await client.post(
        f"/w/{firm.slug}/members/invite",
        {"email": "x@example.com", "role": "viewer"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert response.status_code == 403


async def test_a_post_from_another_origin_is_refused_even_with_a_valid_token(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    for origin in ("https://evil.example", "http://ordena.test.evil.example", BASE_URL.replace("http://", "https://")):
        response = await client.post(
            f"/w/{firm.slug}/members/invite",
            {"email": "x@example.com", "role": "viewer"},
            headers={"origin": origin, "sec-fetch-site": "same-origin"},
        )
        assert response.status_code == 403, origin


async def test_a_same_site_subdomain_cannot_post_either(client: Any, database: Any) -> None:
    firm = await _logged_in_partner(client, database)
    response = await client.post(
        f"/w/{firm.slug}/members/invite",
        {"email": "x@example.com", "role": "viewer"},
        headers={"sec-fetch-site": "same-site"},
    )
    assert response.status_code == 403
