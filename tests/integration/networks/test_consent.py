"""A network admin invites a firm; the firm's owner reads the terms and accepts, may leave and
rejoin by a new invitation; every step audited; bad links and repeated steps refused (4xx,
nothing changed); only the owner decides."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select, update

from ordena.audit.models import AuditEvent
from ordena.db.engine import Database
from ordena.mail.models import Email
from ordena.networks.models import NetworkEvent, NetworkInvitation, NetworkMembership
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.network_helpers import NetworkFixture, join_network, make_network

LINK = re.compile(r"https?://[^\s\"<]+/network-invitations/([A-Za-z0-9_\-]+)")


async def _logout(client: Any) -> None:
    await client.post("/logout", {})
    client.csrf = None  # a new anonymous token after logout


async def _invite(client: Any, net: NetworkFixture, database: Database, email: str) -> str:
    await client.login(net.admin.email, PASSWORD)
    sent = await client.post(f"/n/{net.slug}/firms/invite", {"email": email})
    assert sent.status_code == 303, sent.text[:400]
    async with database.session() as db:
        mail = await db.scalar(select(Email).where(Email.to == email).order_by(Email.created_at.desc()).limit(1))
    assert mail is not None and net.network.name in mail.subject
    found = LINK.search(mail.text_body)
    assert found is not None and found.group(0).startswith("http://")
    await _logout(client)
    return found.group(1)


async def _membership(database: Database, tenant_id: Any, network_id: Any) -> NetworkMembership | None:
    async with database.session(tenant_id=tenant_id) as db:
        return await db.scalar(
            select(NetworkMembership).where(
                NetworkMembership.tenant_id == tenant_id, NetworkMembership.network_id == network_id
            )
        )


async def test_the_owner_reads_the_terms_accepts_leaves_and_rejoins_by_a_new_invitation(
    client: Any, database: Database
) -> None:
    net = await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER, Role.PARTNER))
    secret = await _invite(client, net, database, "socia@estudio-aliado.example.com")
    # The token is stored only as its SHA-256.
    async with database.session() as db:
        stored = await db.scalar(
            select(NetworkInvitation.token_hash).where(NetworkInvitation.network_id == net.network.id)
        )
    assert stored is not None and secret not in stored and len(stored) == 64

    await client.login(firm.email(Role.OWNER), PASSWORD)
    page = await client.get(f"/network-invitations/{secret}")
    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Términos de intercambio de datos" in page.text and net.network.name in page.text
    # Opening the link changed nothing.
    assert await _membership(database, firm.id, net.network.id) is None

    unticked = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": secret})
    assert unticked.status_code == 422 and "Marca la casilla" in unticked.text
    assert await _membership(database, firm.id, net.network.id) is None

    accepted = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": secret, "accept": "on"})
    assert accepted.status_code == 303
    m = await _membership(database, firm.id, net.network.id)
    assert m is not None and m.consent_at is not None and m.left_at is None
    assert m.consent_by == firm.email(Role.OWNER) and m.terms_version == net.network.terms_version

    # The same link again: 410 and nothing changes.
    again = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": secret, "accept": "on"})
    assert again.status_code == 410 and "ya se usó o venció" in again.text
    assert (await client.get(f"/network-invitations/{secret}")).status_code == 410

    listing = await client.get(f"/w/{firm.slug}/settings/networks")
    assert net.network.name in listing.text and "Participa" in listing.text
    terms = await client.get(f"/w/{firm.slug}/settings/networks/{net.slug}/terms")
    assert terms.status_code == 200 and "2026-11" in terms.text

    confirm = await client.get(f"/w/{firm.slug}/settings/networks/{net.slug}/leave")
    assert confirm.status_code == 200 and "Sí, salir de la red" in confirm.text
    left = await client.post(f"/w/{firm.slug}/settings/networks/{net.slug}/leave", {})
    assert left.status_code == 303
    m = await _membership(database, firm.id, net.network.id)
    assert m is not None and m.left_at is not None and m.left_by == firm.email(Role.OWNER)
    twice = await client.post(f"/w/{firm.slug}/settings/networks/{net.slug}/leave", {})
    assert twice.status_code == 409 and "ya no participa" in twice.text
    m2 = await _membership(database, firm.id, net.network.id)
    assert m2 is not None and m2.left_at == m.left_at
    await _logout(client)

    secret2 = await _invite(client, net, database, "socia@estudio-aliado.example.com")
    await client.login(firm.email(Role.OWNER), PASSWORD)
    rejoined = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": secret2, "accept": "on"})
    assert rejoined.status_code == 303
    m = await _membership(database, firm.id, net.network.id)
    assert m is not None and m.left_at is None and m.consent_at is not None

    async with database.session(tenant_id=firm.id) as db:
        actions = list(
            await db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_type == "network_membership")
                .order_by(AuditEvent.created_at)
            )
        )
    assert actions == ["consent", "leave", "consent"]
    async with database.session() as db:
        steps = list(
            await db.scalars(
                select(NetworkEvent.action)
                .where(NetworkEvent.network_id == net.network.id)
                .order_by(NetworkEvent.created_at)
            )
        )
    assert steps == ["create", "admin", "invite", "join", "leave", "invite", "join"]


async def test_an_expired_invitation_is_refused_and_changes_nothing(client: Any, database: Database) -> None:
    net = await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER,))
    secret = await _invite(client, net, database, "dueno@firma-tardia.example.com")
    async with database.session() as db:
        await db.execute(
            update(NetworkInvitation)
            .where(NetworkInvitation.network_id == net.network.id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        await db.commit()
    await client.login(firm.email(Role.OWNER), PASSWORD)
    assert (await client.get(f"/network-invitations/{secret}")).status_code == 410
    refused = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": secret, "accept": "on"})
    assert refused.status_code == 410
    assert await _membership(database, firm.id, net.network.id) is None
    unknown = await client.post(f"/w/{firm.slug}/settings/networks/join", {"secret": "nada", "accept": "on"})
    assert unknown.status_code == 410


async def test_only_the_owner_accepts_leaves_or_changes_the_client_opt_in(client: Any, database: Database) -> None:
    net = await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER, Role.PARTNER, Role.VIEWER))
    secret = await _invite(client, net, database, "socio@firma-roles.example.com")
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    page = await client.get(f"/network-invitations/{secret}")
    assert "Solo el propietario" in page.text and "Unir" not in page.text
    base = f"/w/{firm.slug}/settings/networks"
    assert (await client.post(f"{base}/join", {"secret": secret, "accept": "on"})).status_code == 403
    assert (await client.get(base)).status_code == 403
    await join_network(database, firm.tenant, net.network)
    assert (await client.post(f"{base}/{net.slug}/leave", {})).status_code == 403
    assert (await client.post(f"{base}/{net.slug}/clients", {"show": "on"})).status_code == 403
    m = await _membership(database, firm.id, net.network.id)
    assert m is not None and m.left_at is None and not m.show_to_clients
    await _logout(client)

    await client.login(firm.email(Role.OWNER), PASSWORD)
    assert (await client.post(f"{base}/{net.slug}/clients", {"show": "on"})).status_code == 303
    m = await _membership(database, firm.id, net.network.id)
    assert m is not None and m.show_to_clients


async def test_a_firm_belongs_to_several_networks_and_another_firm_gets_404(client: Any, database: Database) -> None:
    one, two = await make_network(database), await make_network(database)
    firm = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.OWNER,))
    for net in (one, two):
        await join_network(database, firm.tenant, net.network)
    await client.login(firm.email(Role.OWNER), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/settings/networks")
    assert one.network.name in page.text and two.network.name in page.text
    settings = await client.get(f"/w/{firm.slug}/settings")
    assert one.network.name in settings.text and two.network.name in settings.text
    # A network the firm is not in, and another firm's pages: 404.
    stranger = await make_network(database)
    assert (await client.get(f"/w/{firm.slug}/settings/networks/{stranger.slug}/leave")).status_code == 404
    assert (await client.post(f"/w/{firm.slug}/settings/networks/{stranger.slug}/leave", {})).status_code == 404
    assert (await client.get(f"/w/{other.slug}/settings/networks")).status_code == 404
    assert (await client.post(f"/w/{other.slug}/settings/networks/{one.slug}/leave", {})).status_code == 404
