"""Personal API tokens (made on the page, shown once) and the first JSON API endpoints."""

from __future__ import annotations

import re
from typing import Any

from ordena.accounts import api_tokens
from ordena.audit.services import Actor
from ordena.tenancy import memberships
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm

SECRET_RE = re.compile(r"<code>(ord_[A-Za-z0-9_\-]+)</code>")


def bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


async def _token_for(database: Any, user_id: Any, name: str = "test") -> str:
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, user_id, name)
        await db.commit()
    return secret


async def test_a_user_creates_a_token_sees_it_once_uses_it_and_revokes_it(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get("/account/tokens")
    response = await client.post("/account/tokens", {"name": "Integración Excel"})
    assert response.status_code == 200
    secret = SECRET_RE.search(response.text).group(1)  # type: ignore[union-attr]
    listing = await client.get("/account/tokens")
    assert secret not in listing.text and "Integración Excel" in listing.text

    api = client.client
    api.cookies.clear()  # an integration has no browser session
    me = await api.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["email"] == firm.email(Role.CONSULTANT)

    client.csrf = None
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    listing = await client.get("/account/tokens")
    token_id = re.search(r"/account/tokens/([0-9a-f-]{36})/revoke", listing.text).group(1)  # type: ignore[union-attr]
    assert (await client.post(f"/account/tokens/{token_id}/revoke", {})).status_code == 303
    api.cookies.clear()
    revoked = await api.get("/api/v1/me", headers=bearer(secret))
    assert revoked.status_code == 401
    assert revoked.headers["content-type"].startswith("application/json")
    assert revoked.json()["status"] == 401


async def test_a_token_without_a_name_is_refused_next_to_the_field(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    await client.get("/account/tokens")
    response = await client.post("/account/tokens", {"name": "  "})
    assert response.status_code == 422
    assert 'id="e-name"' in response.text


async def test_someone_cannot_revoke_another_users_token(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER, Role.OWNER))
    secret = await _token_for(database, firm.users[Role.OWNER].id)
    async with database.session() as db:
        (token,) = await api_tokens.list_for_user(db, firm.users[Role.OWNER].id)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    await client.get("/account/tokens")
    await client.post(f"/account/tokens/{token.id}/revoke", {})
    client.cookies.clear()
    assert (await client.client.get("/api/v1/me", headers=bearer(secret))).status_code == 200


async def test_the_me_endpoint_lists_the_callers_firms_and_roles(client: Any, database: Any) -> None:
    firm_a = await make_firm(database, roles=(Role.PARTNER,))
    firm_b = await make_firm(database, roles=())
    user = firm_a.users[Role.PARTNER]
    async with database.session() as db:
        await memberships.grant(db, tenant=firm_b.tenant, user=user, role=Role.VIEWER, actor=Actor(None, "test"))
        await db.commit()
    secret = await _token_for(database, user.id)
    body = (await client.client.get("/api/v1/me", headers=bearer(secret))).json()
    assert body["id"] == str(user.id)
    roles = {f["slug"]: f["role"] for f in body["firms"]}
    assert roles == {firm_a.slug: "partner", firm_b.slug: "viewer"}


async def test_a_member_reads_their_firm_through_the_api(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    secret = await _token_for(database, firm.users[Role.VIEWER].id)
    response = await client.client.get(f"/api/v1/w/{firm.slug}", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {"slug": firm.slug, "name": firm.tenant.name, "locale": "es", "role": "viewer"}


async def test_a_token_gets_404_for_a_firm_its_user_does_not_belong_to(client: Any, database: Any) -> None:
    mine = await make_firm(database, roles=(Role.OWNER,))
    theirs = await make_firm(database, roles=(Role.OWNER,))
    secret = await _token_for(database, mine.users[Role.OWNER].id)
    for slug in (theirs.slug, "no-such-firm-anywhere"):
        response = await client.client.get(f"/api/v1/w/{slug}", headers=bearer(secret))
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert theirs.tenant.name not in response.text


async def test_the_api_without_credentials_or_with_a_bad_token_answers_401_json(client: Any) -> None:
    for headers in ({}, bearer("ord_not-a-real-token"), bearer("garbage")):
        response = await client.client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["status"] == 401


async def test_the_openapi_schema_documents_the_api(client: Any) -> None:
    response = await client.client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me" in paths
    assert "/api/v1/w/{slug}" in paths


async def test_an_api_caller_without_a_valid_token_is_told_to_send_a_bearer_token(client: Any) -> None:
    missing = await client.client.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="Ordena API"'
    refused = await client.client.get("/api/v1/me", headers=bearer("ord_not-a-real-token"))
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="Ordena API", error="invalid_token"'
    # Pages still send a browser to the login form, without a bearer challenge.
    page = await client.client.get("/account/tokens", follow_redirects=False)
    assert page.status_code == 303 and "www-authenticate" not in page.headers


async def test_the_api_schema_tells_integrators_to_authenticate_with_a_bearer_token(client: Any) -> None:
    schema = (await client.client.get("/api/schema/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    paths = schema["paths"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    # Pages use the session cookie and are HTML for browsers: not part of the API's schema.
    assert all(path.startswith("/api/") for path in paths), [p for p in paths if not p.startswith("/api/")]


async def test_the_api_schema_documents_the_error_bodies_every_operation_returns(client: Any) -> None:
    schema = (await client.client.get("/api/schema/openapi.json")).json()
    error_body = schema["components"]["schemas"]["ErrorBody"]
    assert error_body["required"] == ["status"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404", "409", "422"):
                assert code in operation["responses"], f"{method.upper()} {path} does not document {code}"
    unknown = await client.client.get("/api/v1/w/no-such-firm", headers=bearer("ord_nothing"))
    assert unknown.status_code == 401 and set(unknown.json()) <= set(error_body["properties"])


async def test_the_api_reference_page_loads_its_script_from_our_own_origin(client: Any) -> None:
    page = await client.client.get("/api/schema")
    assert page.status_code == 200
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    assert "<script>" not in page.text  # no inline script: the CSP would block it


async def test_a_leaked_api_token_cannot_use_the_pages_to_mint_another_token_or_skip_csrf(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    secret = await _token_for(database, firm.users[Role.OWNER].id)
    api = client.client
    api.cookies.clear()
    # Pages take the browser session only: a bearer token there is nobody.
    minted = await api.post(
        "/account/tokens", data={"name": "persistence"}, headers=bearer(secret), follow_redirects=False
    )
    assert minted.status_code in (303, 403) and "ord_" not in minted.text
    settings = await api.post(
        f"/w/{firm.slug}/settings",
        data={"name": "Tomada", "brand_color": "#000000", "locale": "es"},
        headers=bearer(secret),
        follow_redirects=False,
    )
    assert settings.status_code in (303, 403)
    page = await api.get(f"/w/{firm.slug}", headers=bearer(secret), follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    async with database.session() as db:
        assert len(await api_tokens.list_for_user(db, firm.users[Role.OWNER].id)) == 1
    # The JSON API still takes it.
    assert (await api.get("/api/v1/me", headers=bearer(secret))).status_code == 200
