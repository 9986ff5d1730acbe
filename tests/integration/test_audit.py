"""Owners read an append-only trail of every change in their firm."""

from __future__ import annotations

from typing import Any

from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm


async def test_an_owner_sees_who_changed_the_firm_settings_with_before_and_after(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/settings")
    response = await client.post(
        f"/w/{firm.slug}/settings", {"name": "Nuevo Nombre SAC", "brand_color": "#123456", "locale": "es"}
    )
    assert response.status_code == 303
    page = await client.get(f"/w/{firm.slug}/audit?entity=firm&action=update")
    assert page.status_code == 200
    assert "Nuevo Nombre SAC" in page.text
    assert firm.email(Role.OWNER) in page.text


async def test_the_audit_filters_narrow_the_list(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    await client.post(f"/w/{firm.slug}/members/invite", {"email": "nueva@example.com", "role": "consultant"})
    invites = await client.get(f"/w/{firm.slug}/audit?action=invite")
    assert "nueva@example.com" in invites.text
    updates = await client.get(f"/w/{firm.slug}/audit?action=update")
    assert "nueva@example.com" not in updates.text


async def test_settings_with_a_bad_colour_show_the_error_and_keep_the_name(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/settings")
    response = await client.post(
        f"/w/{firm.slug}/settings", {"name": "Nombre Tecleado", "brand_color": "rojo", "locale": "es"}
    )
    assert response.status_code == 422
    assert "Nombre Tecleado" in response.text
    assert "#RRGGBB" in response.text


async def test_saving_the_firm_settings_without_a_change_records_no_audit_event(client: Any, database: Any) -> None:
    from sqlalchemy import func, select

    from ordena.audit.models import AuditEvent

    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/settings")
    t = firm.tenant
    response = await client.post(
        f"/w/{firm.slug}/settings", {"name": t.name, "brand_color": t.brand_color, "locale": t.locale}
    )
    assert response.status_code == 303
    async with database.session(tenant_id=firm.id) as db:
        events = await db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_type == "firm")
        )
    assert events == 0
    page = await client.get(response.headers["location"])
    assert "No había cambios que guardar." in page.text


async def test_a_wildcard_in_the_actor_filter_matches_itself_not_every_actor(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    await client.post(f"/w/{firm.slug}/members/invite", {"email": "nueva@example.com", "role": "consultant"})
    await client.get(f"/w/{firm.slug}/members")  # shows (and clears) the flash naming the address
    everyone = await client.get(f"/w/{firm.slug}/audit?actor=%25")
    assert "nueva@example.com" not in everyone.text
    exact = await client.get(f"/w/{firm.slug}/audit?actor={firm.email(Role.OWNER)}")
    assert "nueva@example.com" in exact.text


async def test_every_paginated_list_treats_a_junk_page_as_the_first_and_a_far_page_as_the_last(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/settings")
    await client.post(
        f"/w/{firm.slug}/settings", {"name": "Nombre Paginado SAC", "brand_color": "#123456", "locale": "es"}
    )
    for path in ("audit", "assessments", "companies"):
        for page in ("abc", "999"):
            response = await client.get(f"/w/{firm.slug}/{path}?page={page}")
            assert response.status_code == 200, (path, page)
    assert "Nombre Paginado SAC" in (await client.get(f"/w/{firm.slug}/audit?page=999")).text
