"""Companies through the JSON API with a personal bearer token (same rules as the pages)."""

from __future__ import annotations

from typing import Any

from ordena.accounts import api_tokens
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.integration.companies.helpers import add_company, valid_ruc

NEW = {
    "name": "Comercial Andina SAC",
    "ruc": "20100047218",
    "industry_section": "G",
    "industry_division": "46",
    "size_band": "pequena",
    "employees": 25,
}


async def _api(client: Any, database: Any, role: Role = Role.CONSULTANT) -> tuple[Any, Any, dict[str, str]]:
    firm = await make_firm(database, roles=(role,))
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, firm.users[role].id, "integración")
        await db.commit()
    client.client.cookies.clear()  # an integration has no browser session
    return client.client, firm, {"authorization": f"Bearer {secret}"}


async def test_an_integration_lists_companies_with_search_and_limit_offset(client: Any, database: Any) -> None:
    api, firm, auth = await _api(client, database, Role.VIEWER)
    for i in range(5):
        await add_company(database, firm.id, name=f"Cliente {i}", ruc=valid_ruc(f"205000000{i}"))
    url = f"/api/v1/w/{firm.slug}/companies"
    page = await api.get(url, params={"limit": 2, "offset": 2}, headers=auth)
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 5 and [c["name"] for c in body["items"]] == ["Cliente 2", "Cliente 3"]
    assert body["items"][0]["industry_section_name"].startswith("Comercio")
    found = await api.get(url, params={"q": valid_ruc("2050000004")}, headers=auth)
    assert [c["name"] for c in found.json()["items"]] == ["Cliente 4"]
    assert (await api.get(url, params={"limit": 0}, headers=auth)).status_code == 400


async def test_an_integration_creates_a_company_and_bad_input_gets_422_with_a_message_per_field(
    client: Any, database: Any
) -> None:
    api, firm, auth = await _api(client, database)
    url = f"/api/v1/w/{firm.slug}/companies"
    created = await api.post(url, json=NEW, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["ruc"] == "20100047218" and created.json()["contacts"] == []
    duplicate = await api.post(url, json={**NEW, "name": "Otra"}, headers=auth)
    assert duplicate.status_code == 422 and set(duplicate.json()["errors"]) == {"ruc"}
    bad = await api.post(
        url,
        json={
            "ruc": "20100047219",
            "industry_section": "C",
            "industry_division": "62",
            "size_band": "x",
            "employees": -1,
        },
        headers=auth,
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"name", "ruc", "industry_division", "size_band", "employees"}
    unknown = await api.post(url, json={**NEW, "ruc": None, "colour": "red"}, headers=auth)
    assert unknown.status_code == 400
    listing = await api.get(url, headers=auth)
    assert listing.json()["total"] == 1


async def test_an_integration_reads_and_patches_a_company(client: Any, database: Any) -> None:
    api, firm, auth = await _api(client, database)
    company = await add_company(database, firm.id, name="Antes SAC", employees=10, ruc="20100047218")
    url = f"/api/v1/w/{firm.slug}/companies/{company.id}"
    got = await api.get(url, headers=auth)
    assert got.status_code == 200 and got.json()["name"] == "Antes SAC" and got.json()["archived"] is False
    patched = await api.patch(url, json={"employees": 12, "industry_division": "47"}, headers=auth)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["employees"], patched.json()["industry_division"]) == (
        "Antes SAC",
        12,
        "47",
    )
    cleared = await api.patch(url, json={"ruc": None}, headers=auth)
    assert cleared.status_code == 200 and cleared.json()["ruc"] is None
    bad = await api.patch(url, json={"ruc": "20100047219"}, headers=auth)
    assert bad.status_code == 422 and "ruc" in bad.json()["errors"]
    assert (await api.get(url, headers=auth)).json()["ruc"] is None


async def test_a_viewers_token_reads_but_cannot_write(client: Any, database: Any) -> None:
    api, firm, auth = await _api(client, database, Role.VIEWER)
    company = await add_company(database, firm.id)
    assert (await api.post(f"/api/v1/w/{firm.slug}/companies", json=NEW, headers=auth)).status_code == 403
    assert (
        await api.patch(f"/api/v1/w/{firm.slug}/companies/{company.id}", json={"name": "X"}, headers=auth)
    ).status_code == 403


async def test_another_firms_company_is_404_through_the_api(client: Any, database: Any) -> None:
    api, firm, auth = await _api(client, database, Role.OWNER)
    theirs = await make_firm(database, roles=(Role.OWNER,))
    foreign = await add_company(database, theirs.id, name="Ajena Secreta SAC")
    mine = f"/api/v1/w/{firm.slug}/companies/{foreign.id}"
    assert (await api.get(mine, headers=auth)).status_code == 404
    assert (await api.patch(mine, json={"name": "Robada"}, headers=auth)).status_code == 404
    theirs_url = f"/api/v1/w/{theirs.slug}/companies"
    assert (await api.get(theirs_url, headers=auth)).status_code == 404
    assert (await api.get(f"{theirs_url}/{foreign.id}", headers=auth)).status_code == 404
    assert (await api.post(theirs_url, json=NEW, headers=auth)).status_code == 404
    assert (
        "Ajena" not in (await api.get(f"/api/v1/w/{firm.slug}/companies", params={"status": "all"}, headers=auth)).text
    )


async def test_the_openapi_schema_documents_the_company_endpoints(client: Any, database: Any) -> None:
    schema = (await client.client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/w/{slug}/companies"])
    assert {"get", "patch"} <= set(paths["/api/v1/w/{slug}/companies/{company_id}"])
    assert "422" in paths["/api/v1/w/{slug}/companies"]["post"]["responses"]
