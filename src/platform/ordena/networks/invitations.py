"""A network admin invites a firm by an emailed single-use link (DESIGN §5): 256 random bits,
only the SHA-256 stored, used up by one atomic ``UPDATE … WHERE used_at IS NULL AND
expires_at > now() RETURNING``, the URL built from the configured base URL. Opening the link
changes nothing (mail scanners open links); the firm's owner accepts with a POST."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.accounts.services import actor_of, normalize_email
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors
from ordena.lib.tokens import digest, new_secret
from ordena.mail.services import send_mail
from ordena.networks.models import Network, NetworkInvitation
from ordena.networks.services import record
from ordena.settings import Settings
from ordena.tenancy.models import Tenant

TTL = dt.timedelta(days=7)
LINK_PATH = "/network-invitations/"


class InvitationInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("invalid invitation")
        self.errors = errors


def token_hash(secret: str) -> str:
    return digest(secret).hex()


async def invite(db: AsyncSession, settings: Settings, network: Network, admin: User, email: str) -> str:
    """Email the firm owner at ``email`` a link to read the terms and join; returns the URL."""
    errors = FormErrors()
    email = normalize_email(email, errors)
    if errors:
        raise InvitationInvalid(errors)
    secret = new_secret(32)
    invitation = NetworkInvitation(
        network_id=network.id,
        email=email,
        token_hash=token_hash(secret),
        expires_at=now() + TTL,
        invited_by=admin.id,
    )
    db.add(invitation)
    await db.flush()
    url = f"{settings.base_url}{LINK_PATH}{secret}"
    await send_mail(
        db,
        templates_dir=settings.templates_dir,
        to=email,
        template="network_invitation",
        context={"network": network.name, "inviter": admin.name or admin.email, "url": url, "days": TTL.days},
        locale=admin.locale,
    )
    record(db, network.id, actor_of(admin), "invite", "invitation", invitation.id, after={"email": email})
    return url


@dataclass(frozen=True)
class InvitationRow:
    id: UUID
    email: str
    created_at: dt.datetime
    expires_at: dt.datetime
    state: str  # pending | accepted | revoked | expired
    firm_name: str | None  # the member firm that accepted it (the consent list)


async def invitations_of(db: AsyncSession, network_id: UUID, *, limit: int = 200) -> list[InvitationRow]:
    stmt = (
        select(NetworkInvitation, Tenant.name)
        .outerjoin(Tenant, Tenant.id == NetworkInvitation.firm_id)
        .where(NetworkInvitation.network_id == network_id)
        .order_by(NetworkInvitation.created_at.desc())
        .limit(limit)
    )
    current = now()
    rows = []
    for inv, firm_name in (await db.execute(stmt)).all():
        if inv.used_at is not None:
            state = "accepted" if inv.firm_id is not None else "revoked"
        elif inv.expires_at <= current:
            state = "expired"
        else:
            state = "pending"
        rows.append(InvitationRow(inv.id, inv.email, inv.created_at, inv.expires_at, state, firm_name))
    return rows


async def revoke(db: AsyncSession, network: Network, admin: User, invitation_id: UUID) -> str:
    """Make a pending invitation unusable (as if used, with no firm); returns its address.
    ``LookupError`` for an unknown, used, expired or another network's invitation."""
    stmt = (
        update(NetworkInvitation)
        .where(
            NetworkInvitation.id == invitation_id,
            NetworkInvitation.network_id == network.id,
            NetworkInvitation.used_at.is_(None),
            NetworkInvitation.expires_at > func.now(),
        )
        .values(used_at=func.now(), updated_at=func.now())
        .returning(NetworkInvitation.email)
    )
    email = (await db.execute(stmt)).scalar_one_or_none()
    if email is None:
        raise LookupError("no such pending invitation")
    record(db, network.id, actor_of(admin), "revoke", "invitation", invitation_id, after={"email": email})
    return str(email)


async def peek(db: AsyncSession, secret: str) -> tuple[NetworkInvitation, Network, bool] | None:
    """The invitation of ``secret``, its network and whether it can still be used, without
    using it; None when unknown."""
    row = (
        await db.execute(
            select(NetworkInvitation, Network)
            .join(Network, Network.id == NetworkInvitation.network_id)
            .where(NetworkInvitation.token_hash == token_hash(secret))
        )
    ).first()
    if row is None:
        return None
    invitation, network = row
    return invitation, network, invitation.used_at is None and invitation.expires_at > now()


async def consume(db: AsyncSession, secret: str, firm_id: UUID) -> UUID | None:
    """Use the invitation up for ``firm_id``, atomically; its id, or None when unknown, expired
    or already used (by anyone, even a moment ago in another request)."""
    stmt = (
        update(NetworkInvitation)
        .where(
            NetworkInvitation.token_hash == token_hash(secret),
            NetworkInvitation.used_at.is_(None),
            NetworkInvitation.expires_at > func.now(),
        )
        .values(used_at=func.now(), updated_at=func.now(), firm_id=firm_id)
        .returning(NetworkInvitation.id)
    )
    found: UUID | None = (await db.execute(stmt)).scalar_one_or_none()
    return found
