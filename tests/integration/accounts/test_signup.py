"""Creating a firm: bad input is explained next to each field and nothing is half-created."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ordena.tenancy.models import Tenant
from tests.factories import make_firm, unique
from tests.integration.accounts.helpers import count_users


async def _tenants(database: Any, slug: str) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).select_from(Tenant).where(Tenant.slug == slug)) or 0)


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "firm_name": "Consultores Andinos",
        "slug": unique("andinos"),
        "name": "Rosa Quispe",
        "email": f"{unique('rosa')}@example.com",
        "password": "una-clave-muy-segura-9",
    }
    form.update(overrides)
    return form


async def test_a_consultant_signs_up_and_lands_in_their_new_firm(client: Any, database: Any) -> None:
    form = _form()
    await client.get("/signup")
    response = await client.post("/signup", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/w/{form['slug']}"
    assert (await client.get(response.headers["location"])).status_code == 200
    assert await count_users(database, form["email"]) == 1


async def test_sign_up_with_bad_input_explains_each_field_and_creates_nothing(client: Any, database: Any) -> None:
    taken = await make_firm(database, roles=())
    cases = [
        ({"email": "rosa-at-example.com"}, "email", "Ese correo electrónico no es válido."),
        ({"slug": taken.slug}, "slug", "Esa dirección ya está en uso; elige otra."),
        ({"slug": "admin"}, "slug", "Esa dirección está reservada; elige otra."),
        ({"slug": "-Mal Slug-"}, "slug", "Usa de 3 a 63 letras minúsculas"),
        ({"password": "corta"}, "password", "La contraseña debe tener al menos 10 caracteres."),
        ({"password": "aaaaaaaaaaaa"}, "password", "Esa contraseña es demasiado común"),
    ]
    await client.get("/signup")
    for overrides, field, message in cases:
        form = _form(**overrides)
        response = await client.post("/signup", form)
        assert response.status_code == 422, overrides
        error = response.text.split(f'id="e-{field}"', 1)
        assert len(error) == 2, f"no error next to {field}"
        assert message in error[1].split("</small>", 1)[0], (field, message)
        for kept in ("firm_name", "name", "email"):
            assert f'value="{form[kept]}"' in response.text
        if field != "slug":
            assert f'value="{form["slug"]}"' in response.text
        assert form["password"] not in response.text
        assert await count_users(database, form["email"]) == 0
        if form["slug"] != taken.slug:
            assert await _tenants(database, form["slug"]) == 0


async def test_signing_up_with_an_email_that_has_an_account_points_to_login(client: Any, database: Any) -> None:
    first = _form()
    await client.get("/signup")
    assert (await client.post("/signup", first)).status_code == 303
    client.cookies.clear()
    client.csrf = None
    await client.get("/signup")
    second = _form(email=first["email"].upper())
    response = await client.post("/signup", second)
    assert response.status_code == 422
    assert "Ya existe una cuenta con ese correo" in response.text
    assert await _tenants(database, second["slug"]) == 0


async def test_an_oversized_form_gets_a_friendly_413_page(client: Any, app: Any) -> None:
    limit = app.state.settings.max_body_bytes
    await client.get("/signup")
    response = await client.post("/signup", _form(firm_name="x" * (limit + 10)))
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "demasiado grande" in response.text
