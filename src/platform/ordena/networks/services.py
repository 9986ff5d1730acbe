"""Networks, their admins and the firms that joined them (used by the manifest sync)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.lib.clock import now
from ordena.networks.models import Network, NetworkAdmin, NetworkMembership


async def network_by_slug(db: AsyncSession, slug: str) -> Network | None:
    network: Network | None = await db.scalar(select(Network).where(Network.slug == slug))
    return network


async def create_network(db: AsyncSession, *, slug: str, name: str, min_companies: int, min_firms: int) -> Network:
    network = Network(slug=slug, name=name, min_companies=min_companies, min_firms=min_firms)
    db.add(network)
    await db.flush()
    return network


async def add_admin(db: AsyncSession, network_id: UUID, user_id: UUID) -> bool:
    """Make the user an admin of the network; False when they already are."""
    if await db.scalar(
        select(NetworkAdmin.id).where(NetworkAdmin.network_id == network_id, NetworkAdmin.user_id == user_id)
    ):
        return False
    db.add(NetworkAdmin(network_id=network_id, user_id=user_id))
    return True


async def join(db: AsyncSession, tenant_id: UUID, network_id: UUID, *, consent_by: str | None) -> bool:
    """The firm joins the network, with its consent recorded when ``consent_by`` names who gave
    it; False when it is a member already (its consent is then left as it is). Runs in the
    firm's context (the membership row is the firm's)."""
    member = await db.scalar(
        select(NetworkMembership.id).where(
            NetworkMembership.tenant_id == tenant_id, NetworkMembership.network_id == network_id
        )
    )
    if member is not None:
        return False
    db.add(
        NetworkMembership(
            tenant_id=tenant_id,
            network_id=network_id,
            consent_at=now() if consent_by else None,
            consent_by=consent_by,
        )
    )
    await db.flush()
    return True
