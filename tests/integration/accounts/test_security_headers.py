"""Security headers on every kind of response; HSTS and __Host- Secure cookies behind https."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.conftest import CSRF_RE
from tests.factories import PASSWORD, make_firm
from tests.integration.accounts.helpers import cookie_attrs

HTTPS_BASE = "https://ordena.test"


def assert_security_headers(response: Any) -> None:
    csp = response.headers["content-security-policy"]
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


async def test_pages_json_errors_and_static_files_all_carry_security_headers(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    responses = {
        "html": await client.get("/login"),
        "json": await client.client.get("/health/live"),
        "api error": await client.client.get("/api/v1/me"),
        "html error": await client.get("/no/such/page"),
        "static": await client.client.get("/static/css/app.css"),
        "redirect": await client.get(f"/w/{firm.slug}", follow_redirects=False),
    }
    assert responses["html error"].status_code == 404 and responses["static"].status_code == 200
    for kind, response in responses.items():
        try:
            assert_security_headers(response)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{kind}: {exc!r} {dict(response.headers)}") from exc
    # Plain-http development: no HSTS (it would pin a host that has no certificate).
    assert "strict-transport-security" not in responses["html"].headers


@pytest.fixture(scope="module")
async def https_client(migrated: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    from ordena.server.app import create_app

    settings = dataclasses.replace(migrated, base_url=HTTPS_BASE)
    app = create_app(settings, start_jobs=False)
    async with AsyncTestClient(app=app, base_url=HTTPS_BASE) as c:
        yield c


async def test_behind_https_responses_send_hsts_and_cookies_are_host_prefixed_and_secure(
    https_client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    page = await https_client.get("/login")
    assert "max-age=" in page.headers["strict-transport-security"]
    assert_security_headers(page)
    assert "secure" in cookie_attrs(page, "__Host-ordena_anon").lower()
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = await https_client.post(
        "/login",
        data={"email": firm.email(Role.VIEWER), "password": PASSWORD, "next": "/", "_csrf": token},
        headers={"origin": HTTPS_BASE, "sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    header = cookie_attrs(response, "__Host-ordena_session").lower()
    for flag in ("secure", "httponly", "samesite=lax", "path=/"):
        assert flag in header
    assert "domain=" not in header  # __Host- cookies may not name a domain
    assert "strict-transport-security" in response.headers
