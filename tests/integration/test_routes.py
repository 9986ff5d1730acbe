"""Every route declares who may call it, and another firm's URLs answer 404."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from ordena.tenancy.models import Role
from ordena.web.access import Access, access_of
from tests.factories import make_firm

SAMPLE = {"uuid": "00000000-0000-7000-8000-000000000000", "int": "1", "str": "x", "path": "x"}


def _http_handlers(app: Litestar) -> list[tuple[str, str, Any]]:
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    out.append((route.path_format, method, handler))
    return out


def test_every_route_is_classified(app: Litestar) -> None:
    unclassified = [
        f"{m} {p}" for p, m, h in _http_handlers(app) if access_of(h) is None and not p.startswith("/static")
    ]
    assert unclassified == [], f"routes without opt access: {unclassified}"


def test_every_route_checks_access_and_csrf_before_its_handler(app: Litestar) -> None:
    # The access rule runs in the app's before-request hook (ordena.server.plugin); a router or
    # handler with a hook of its own would replace it (Litestar runs the closest layer's only).
    hooks = {h.resolve_before_request() for _p, _m, h in _http_handlers(app)}
    assert len(hooks) == 1
    [hook] = hooks
    assert hook is not None and "_check_request" in repr(getattr(hook, "func", hook))


def test_firm_routes_carry_the_firm_slug_and_require_a_member(app: Litestar) -> None:
    for path, method, handler in _http_handlers(app):
        access = access_of(handler)
        if method == "OPTIONS":
            continue
        if path.startswith(("/w/{slug}", "/api/v1/w/{slug}")):
            assert access is not None and access.firm_role is not None, f"{method} {path} must require a firm role"
        if access is not None and access.firm_role is not None:
            assert "{slug}" in path, f"{method} {path}: firm access without a firm in the path"


def _concrete(path_format: str, slug: str, app: Litestar) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: slug if m.group(1) == "slug" else SAMPLE["uuid"], path_format)


async def test_a_member_of_firm_a_gets_404_for_every_firm_b_url(app: Litestar, database: Any, client: Any) -> None:
    a = await make_firm(database, roles=(Role.OWNER,))
    b = await make_firm(database, roles=(Role.OWNER,))
    await client.login(a.email(Role.OWNER), "correct-horse-battery-9")
    checked = 0
    for path, method, handler in _http_handlers(app):
        access = access_of(handler)
        if access is None or access.firm_role is None:
            continue
        url = _concrete(path, b.slug, app)
        if method == "GET":
            response = await client.get(url)
        elif method in {"POST", "PUT", "PATCH", "DELETE"}:
            response = await client.client.request(
                method, url, data={"_csrf": await client.token()}, headers={"sec-fetch-site": "same-origin"}
            )
        else:
            continue
        assert response.status_code == 404, f"{method} {url} → {response.status_code}"
        assert b.tenant.name not in response.text
        checked += 1
    assert checked >= 5


async def test_an_unknown_firm_is_404_too(client: Any, database: Any) -> None:
    a = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(a.email(Role.VIEWER), "correct-horse-battery-9")
    assert (await client.get("/w/no-such-firm-here")).status_code == 404


async def test_anonymous_visitors_are_sent_to_login_for_firm_pages(client: Any, database: Any) -> None:
    a = await make_firm(database, roles=(Role.VIEWER,))
    response = await client.get(f"/w/{a.slug}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_a_viewer_cannot_use_owner_pages(client: Any, database: Any) -> None:
    a = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(a.email(Role.VIEWER), "correct-horse-battery-9")
    assert (await client.get(f"/w/{a.slug}/audit")).status_code == 403
    assert (await client.get(f"/w/{a.slug}")).status_code == 200


def test_access_levels_are_ordered() -> None:
    assert Access.OWNER.firm_role is Role.OWNER
    assert Role.OWNER.at_least(Role.PARTNER) and not Role.VIEWER.at_least(Role.CONSULTANT)


async def test_an_unknown_url_gets_the_friendly_404_with_the_security_headers(client: Any) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"]


async def test_an_unknown_url_speaks_the_visitors_chosen_language(client: Any) -> None:
    client.cookies.set("ordena_lang", "en")
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
