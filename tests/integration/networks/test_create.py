"""Networks are created from manifests or ``ordena networks create``; bad settings (k below 3,
fewer than 3 firms, ε ≤ 0, a slug taken) are refused with a clear message and nothing is made."""

from __future__ import annotations

from typing import Any

import click
import pytest
from sqlalchemy import func, select

from ordena.db.engine import Database
from ordena.networks import services as networks
from ordena.networks.commands import create_network
from ordena.networks.models import Network, NetworkAdmin, NetworkEvent
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm, unique
from tests.network_helpers import make_network


async def _count(database: Database, slug: str) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).select_from(Network).where(Network.slug == slug)) or 0)


@pytest.mark.parametrize(
    ("k", "min_firms", "epsilon", "message"),
    [
        (2, 3, "1.0", "no puede ser menor que 3"),
        (5, 2, "1.0", "al menos 3 firmas"),
        (5, 3, "0", "mayor que 0"),
        (5, 3, "-1", "mayor que 0"),
        (5, 3, "mucho", "Escribe un número"),
    ],
)
async def test_bad_privacy_settings_are_refused_and_nothing_is_created(
    migrated: Settings, database: Database, k: int, min_firms: int, epsilon: str, message: str
) -> None:
    slug = unique("red")
    with pytest.raises(click.ClickException, match=message):
        await create_network(migrated, slug=slug, name="Red", k=k, min_firms=min_firms, epsilon=epsilon, admins=())
    assert await _count(database, slug) == 0


async def test_the_operator_creates_a_network_on_the_default_framework_with_an_admin(
    migrated: Settings, database: Database
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    slug = unique("red")
    lines = await create_network(
        migrated, slug=slug, name="Red del Sur", k=7, min_firms=4, epsilon="0.5", admins=(firm.email(Role.OWNER),)
    )
    assert lines[0].startswith(f"network {slug}: created")
    async with database.session() as db:
        network = await db.scalar(select(Network).where(Network.slug == slug))
        assert network is not None and network.framework_id is not None
        assert (network.min_companies, network.min_firms, str(network.epsilon)) == (7, 4, "0.500")
        admins = await db.scalar(select(func.count()).where(NetworkAdmin.network_id == network.id))
        events = list(await db.scalars(select(NetworkEvent.action).where(NetworkEvent.network_id == network.id)))
    assert admins == 1 and sorted(events) == ["admin", "create"]
    with pytest.raises(click.ClickException, match="Ya existe"):
        await create_network(migrated, slug=slug, name="Otra", k=5, min_firms=3, epsilon="1", admins=())
    with pytest.raises(click.ClickException, match="no user"):
        await create_network(
            migrated, slug=unique("red"), name="X", k=5, min_firms=3, epsilon="1", admins=("nadie@example.com",)
        )


async def test_a_firm_owner_who_also_runs_a_network_sees_both_after_login(client: Any, database: Database) -> None:
    net = await make_network(database, name="Red Doble Rol")
    firm = await make_firm(database, roles=(Role.OWNER,), name="Firma Doble Rol")
    async with database.session() as db:
        await networks.add_admin(db, net.network.id, firm.users[Role.OWNER].id)
        await db.commit()
    await client.login(firm.email(Role.OWNER), PASSWORD)
    home = await client.get("/")
    assert home.status_code == 200
    assert f'href="/w/{firm.slug}"' in home.text and f'href="/n/{net.slug}"' in home.text
    assert (await client.get(f"/n/{net.slug}")).status_code == 200
    assert (await client.get(f"/w/{firm.slug}")).status_code == 200
