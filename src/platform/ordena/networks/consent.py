"""The firm's side: its networks, consent to the data-sharing terms, leaving, and the client
opt-in. Only the firm's owner does any of it (the routes require the owner role); each step is
written to the firm's audit trail and to the network's event log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.services import actor_of
from ordena.audit.services import AuditTrail, snapshot
from ordena.lib.clock import now
from ordena.lib.errors import NotFound
from ordena.lib.i18n import _
from ordena.networks import invitations
from ordena.networks.models import Network, NetworkMembership
from ordena.networks.services import record
from ordena.tenancy.services import FirmContext

CONSENT_FIELDS = ("consent_at", "consent_by", "terms_version", "left_at", "left_by", "show_to_clients")


class ConsentRefused(Exception):
    """A step that cannot be taken now; ``status_code`` 409 (state) or 410 (a dead link)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class FirmNetwork:
    network: Network
    membership: NetworkMembership

    @property
    def state(self) -> str:
        if self.membership.left_at is not None:
            return "left"
        return "active" if self.membership.consent_at is not None else "pending"

    @property
    def active(self) -> bool:
        return self.state == "active"

    @property
    def terms_outdated(self) -> bool:
        return self.active and self.membership.terms_version != self.network.terms_version


async def firm_networks(db: AsyncSession, tenant_id: Any) -> list[FirmNetwork]:
    stmt = (
        select(NetworkMembership, Network)
        .join(Network, Network.id == NetworkMembership.network_id)
        .where(NetworkMembership.tenant_id == tenant_id)
        .order_by(Network.name)
    )
    return [FirmNetwork(n, m) for m, n in (await db.execute(stmt)).all()]


async def firm_network(db: AsyncSession, firm: FirmContext, network_slug: str) -> FirmNetwork:
    for found in await firm_networks(db, firm.tenant_id):
        if found.network.slug == network_slug:
            return found
    raise NotFound()


async def accept(db: AsyncSession, firm: FirmContext, secret: str) -> Network:
    """The owner accepts the network's current terms for the firm with the invitation of
    ``secret``: the firm joins (or rejoins after leaving). Refused, changing nothing, for an
    unknown, expired or used link (410) and for a firm already in with these terms (409)."""
    peeked = await invitations.peek(db, secret)
    if peeked is None or not peeked[2]:
        raise ConsentRefused(_("Esta invitación ya se usó o venció. Pide una nueva a quien administra la red."), 410)
    network = peeked[1]
    current = next((f for f in await firm_networks(db, firm.tenant_id) if f.network.id == network.id), None)
    if current is not None and current.active and not current.terms_outdated:
        raise ConsentRefused(
            _("{firm} ya participa en {network} con estos términos.").format(
                firm=firm.tenant.name, network=network.name
            )
        )
    invitation_id = await invitations.consume(db, secret, firm.tenant_id)
    if invitation_id is None:  # used up by someone else a moment ago
        raise ConsentRefused(_("Esta invitación ya se usó o venció. Pide una nueva a quien administra la red."), 410)
    actor = actor_of(firm.user)
    membership = current.membership if current is not None else None
    before = snapshot(membership, CONSENT_FIELDS) if membership is not None else None
    if membership is None:
        membership = NetworkMembership(tenant_id=firm.tenant_id, network_id=network.id)
        db.add(membership)
    membership.consent_at = now()
    membership.consent_by = firm.user.email
    membership.terms_version = network.terms_version
    membership.left_at = None
    membership.left_by = None
    await db.flush()
    after = snapshot(membership, CONSENT_FIELDS)
    AuditTrail(db, firm.tenant_id, actor)("consent", "network_membership", network.slug, before=before, after=after)
    record(
        db,
        network.id,
        actor,
        "join",
        "firm",
        firm.tenant_id,
        firm_id=firm.tenant_id,
        after={"consent": True, "terms_version": network.terms_version, "invitation": str(invitation_id)},
    )
    return network


async def leave(db: AsyncSession, firm: FirmContext, network_slug: str) -> Network:
    """The firm withdraws its consent: out of the next release. 409 when it is not in."""
    found = await firm_network(db, firm, network_slug)
    if not found.active:
        raise ConsentRefused(
            _("{firm} ya no participa en {network}.").format(firm=firm.tenant.name, network=found.network.name)
        )
    membership, actor = found.membership, actor_of(firm.user)
    before = snapshot(membership, CONSENT_FIELDS)
    membership.left_at = now()
    membership.left_by = firm.user.email
    membership.show_to_clients = False
    await db.flush()
    AuditTrail(db, firm.tenant_id, actor)(
        "leave", "network_membership", found.network.slug, before=before, after=snapshot(membership, CONSENT_FIELDS)
    )
    record(db, found.network.id, actor, "leave", "firm", firm.tenant_id, firm_id=firm.tenant_id)
    return found.network


async def show_to_clients(db: AsyncSession, firm: FirmContext, network_slug: str, on: bool) -> bool:
    """The owner's opt-in to showing the network's benchmarks to client contacts; False when
    nothing changed. 409 for a network the firm is not in."""
    found = await firm_network(db, firm, network_slug)
    if not found.active:
        raise ConsentRefused(
            _("{firm} no participa en {network}.").format(firm=firm.tenant.name, network=found.network.name)
        )
    if found.membership.show_to_clients == on:
        return False
    found.membership.show_to_clients = on
    await db.flush()
    AuditTrail(db, firm.tenant_id, actor_of(firm.user))(
        "update",
        "network_membership",
        found.network.slug,
        before={"show_to_clients": not on},
        after={"show_to_clients": on},
    )
    return True
