"""Two people in two firms use Ordena at the same time, each seeing only their firm."""

from __future__ import annotations

from typing import Any

from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm


async def test_two_owners_of_different_firms_browse_side_by_side(new_client: Any, database: Any) -> None:
    a = await make_firm(database, roles=(Role.OWNER,))
    b = await make_firm(database, roles=(Role.OWNER,))
    alice, bruno = await new_client(), await new_client()
    await alice.login(a.email(Role.OWNER), PASSWORD)
    await bruno.login(b.email(Role.OWNER), PASSWORD)
    assert a.tenant.name in (await alice.get(f"/w/{a.slug}")).text
    assert b.tenant.name in (await bruno.get(f"/w/{b.slug}")).text
    assert (await alice.get(f"/w/{b.slug}")).status_code == 404
    assert (await bruno.get(f"/w/{a.slug}/members")).status_code == 404
