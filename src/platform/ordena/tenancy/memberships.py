"""Who belongs to a firm, and with which role: the one place that grants, changes and ends a
membership, with its rules and its audit lines.

The members page, the account flows (sign-up, accepting an invitation), the operator CLI and the
manifest sync all come through here, so a membership change reads the same in the trail whoever
made it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.tenancy.models import Membership, Role, Tenant
from ordena.tenancy.services import FirmContext, enter_firm


class MembershipRefused(ServiceError):
    """A rule on memberships refused the change; ``message`` tells the person who asked."""


class Granted(enum.Enum):
    """What :func:`grant` did."""

    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Grant:
    membership: Membership
    outcome: Granted


async def member_count(db: AsyncSession, tenant_id: UUID) -> int:
    """How many people belong to the firm (the seats a plan counts, with pending invitations)."""
    count = await db.scalar(select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id))
    return int(count or 0)


async def membership_of(db: AsyncSession, tenant_id: UUID, user_id: UUID) -> Membership | None:
    """The user's membership in the firm, if any."""
    membership: Membership | None = await db.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    return membership


async def _membership(db: AsyncSession, tenant_id: UUID, membership_id: UUID) -> Membership:
    membership: Membership | None = await db.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.id == membership_id)
    )
    if membership is None:
        raise NotFound()
    return membership


async def grant(db: AsyncSession, *, tenant: Tenant, user: User, role: Role, actor: Actor) -> Grant:
    """Make ``user`` a member of ``tenant`` with ``role``; a member already there gets ``role``."""
    await enter_firm(db, tenant, user.id)
    audit = AuditTrail(db, tenant.id, actor)
    membership = await membership_of(db, tenant.id, user.id)
    if membership is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
        db.add(membership)
        await db.flush()
        audit("create", "membership", membership.id, after={"user": user.email, "role": role.value})
        return Grant(membership, Granted.ADDED)
    if membership.role is role:
        return Grant(membership, Granted.UNCHANGED)
    before = snapshot(membership, ["role"])
    membership.role = role
    audit("update", "membership", membership.id, before=before, after=snapshot(membership, ["role"]))
    return Grant(membership, Granted.CHANGED)


async def set_role(db: AsyncSession, firm: FirmContext, membership_id: UUID, role: str, *, actor: Actor) -> Membership:
    """An owner gives a member of the firm another role. Owners cannot step down themselves, so
    the firm always keeps the owner making the change."""
    membership = await _membership(db, firm.tenant_id, membership_id)
    try:
        wanted = Role(role)
    except ValueError:
        raise MembershipRefused(_("Elige un rol."), field="role") from None
    if membership.user_id == firm.user.id and wanted is not Role.OWNER:
        raise MembershipRefused(_("No puedes quitarte a ti mismo el rol de propietario."), field="role")
    before = snapshot(membership, ["role"])
    membership.role = wanted
    AuditTrail(db, firm.tenant_id, actor)(
        "update", "membership", membership.id, before=before, after=snapshot(membership, ["role"])
    )
    return membership


async def remove_member(db: AsyncSession, firm: FirmContext, membership_id: UUID, *, actor: Actor) -> None:
    """An owner takes a member out of the firm (never themselves: the firm keeps an owner)."""
    membership = await _membership(db, firm.tenant_id, membership_id)
    if membership.user_id == firm.user.id:
        raise MembershipRefused(_("No puedes quitarte a ti mismo de la firma."))
    AuditTrail(db, firm.tenant_id, actor)(
        "delete",
        "membership",
        membership.id,
        before={"user_id": str(membership.user_id), "role": membership.role.value},
    )
    await db.delete(membership)
