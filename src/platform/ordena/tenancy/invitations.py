"""Inviting colleagues into a firm by an emailed single-use link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import services as accounts
from ordena.accounts.models import LinkToken, User
from ordena.audit.services import record
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.mail.services import send_mail
from ordena.settings import Settings
from ordena.tenancy.models import Membership, Role, Tenant
from ordena.tenancy.roles import role_label
from ordena.tenancy.services import FirmContext, enter_firm


class InvitationInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("invalid invitation")
        self.errors = errors


async def invite(db: AsyncSession, settings: Settings, firm: FirmContext, email: str, role: str) -> None:
    errors = FormErrors()
    email = accounts.normalize_email(email, errors)
    try:
        wanted = Role(role)
    except ValueError:
        errors.add("role", _("Elige un rol."))
        wanted = Role.VIEWER
    if wanted is Role.OWNER and not firm.can(Role.OWNER):
        errors.add("role", _("Solo un propietario puede invitar a otro propietario."))
    if not errors:
        existing = await accounts.user_by_email(db, email)
        if existing and await db.scalar(
            select(Membership.id).where(Membership.tenant_id == firm.tenant_id, Membership.user_id == existing.id)
        ):
            errors.add("email", _("Esa persona ya es miembro de la firma."))
    if errors:
        raise InvitationInvalid(errors)
    url = await accounts.issue_link(
        db,
        settings,
        purpose=accounts.INVITATION,
        email=email,
        scope={"tenant_id": str(firm.tenant_id), "role": wanted.value, "invited_by": firm.user.name},
    )
    await send_mail(
        db,
        templates_dir=settings.templates_dir,
        to=email,
        template="invitation",
        context={
            "firm": firm.tenant.name,
            "inviter": firm.user.name,
            "role": wanted.value,
            "role_label": role_label,
            "url": url,
            "hours": settings.link_ttl_hours,
        },
        locale=firm.tenant.locale,
    )
    await record(
        db,
        tenant_id=firm.tenant_id,
        actor=accounts.actor_of(firm.user),
        action="invite",
        entity_type="membership",
        entity_id=email,
        after={"email": email, "role": wanted.value},
    )


async def accept_invitation(db: AsyncSession, link: LinkToken) -> tuple[UUID, str]:
    """Join the firm (creating the account if needed). Returns the user id and where to go."""
    scope: dict[str, Any] = link.scope
    tenant = await db.get(Tenant, UUID(scope["tenant_id"]))
    if tenant is None:
        raise LookupError("firm gone")
    user = await accounts.user_by_email(db, link.email)
    target = f"/w/{tenant.slug}"
    if user is None:
        # No name yet: the set-password page asks for it (never guessed from the address).
        user = User(email=link.email, name="", locale=tenant.locale)
        db.add(user)
        await db.flush()
        target = "/account/password?reset=1"
    await enter_firm(db, tenant, user.id)
    exists = await db.scalar(select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id))
    if exists is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=Role(scope.get("role", "viewer")))
        db.add(membership)
        await db.flush()
        await record(
            db,
            tenant_id=tenant.id,
            actor=accounts.actor_of(user),
            action="create",
            entity_type="membership",
            entity_id=membership.id,
            after={"user": user.email, "role": membership.role.value},
        )
    return user.id, target


async def members(db: AsyncSession, firm: FirmContext) -> list[tuple[Membership, User]]:
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == firm.tenant_id)
        .order_by(User.name)
    )
    return [(m, u) for m, u in (await db.execute(stmt)).all()]


@dataclass(frozen=True)
class PendingInvitation:
    id: UUID
    email: str
    role: Role
    invited_by: str
    expires_at: dt.datetime


def _pending(tenant_id: UUID) -> list[Any]:
    """Conditions for invitation links to ``tenant_id`` that can still be used. link_token is a
    platform table (no RLS): the firm in the link's scope is the only filter, so always apply it."""
    return [
        LinkToken.purpose == accounts.INVITATION,
        LinkToken.scope["tenant_id"].as_string() == str(tenant_id),
        LinkToken.used_at.is_(None),
        LinkToken.expires_at > now(),
    ]


async def pending_invitations(db: AsyncSession, firm: FirmContext) -> list[PendingInvitation]:
    stmt = select(LinkToken).where(*_pending(firm.tenant_id)).order_by(LinkToken.created_at.desc())
    result = []
    for link in (await db.scalars(stmt)).all():
        try:
            role = Role(link.scope.get("role", "viewer"))
        except ValueError:
            role = Role.VIEWER
        result.append(
            PendingInvitation(link.id, link.email, role, str(link.scope.get("invited_by", "")), link.expires_at)
        )
    return result


async def revoke_invitation(db: AsyncSession, firm: FirmContext, invitation_id: UUID) -> str:
    """Make a pending invitation's link unusable (as if used, atomically); returns the address.
    Raises ``LookupError`` for an unknown, used, expired or another firm's invitation."""
    stmt = (
        update(LinkToken)
        .where(LinkToken.id == invitation_id, *_pending(firm.tenant_id))
        .values(used_at=now(), updated_at=now())
        .returning(LinkToken.email, LinkToken.scope)
    )
    row = (await db.execute(stmt)).first()
    if row is None:
        raise LookupError("no such pending invitation")
    email, scope = str(row[0]), dict(row[1] or {})
    await record(
        db,
        tenant_id=firm.tenant_id,
        actor=accounts.actor_of(firm.user),
        action="revoke",
        entity_type="membership",
        entity_id=email,
        before={"email": email, "role": scope.get("role")},
    )
    return email
