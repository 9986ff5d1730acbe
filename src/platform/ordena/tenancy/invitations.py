"""Inviting colleagues into a firm by an emailed single-use link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import services as accounts
from ordena.accounts.models import LinkToken
from ordena.audit.services import AuditTrail
from ordena.billing import limits
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.mail.services import send_mail
from ordena.settings import Settings
from ordena.tenancy import firms, memberships
from ordena.tenancy.models import Role
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
        if existing and await memberships.membership_of(db, firm.tenant_id, existing.id):
            errors.add("email", _("Esa persona ya es miembro de la firma."))
    if not errors and settings.billing_enabled:
        seats = await memberships.member_count(db, firm.tenant_id) + len(await pending_invitations(db, firm))
        try:
            await limits.ensure_room(db, settings, firm.tenant_id, "seats", seats)
        except limits.LimitReached as exc:
            errors.add("email", exc.message)
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
    AuditTrail(db, firm.tenant_id, accounts.actor_of(firm.user))(
        "invite", "membership", email, after={"email": email, "role": wanted.value}
    )


async def accept_invitation(db: AsyncSession, link: LinkToken) -> tuple[UUID, str]:
    """Join the firm (creating the account if needed). Returns the user id and where to go."""
    scope: dict[str, Any] = link.scope
    tenant = await firms.firm_by_id(db, UUID(scope["tenant_id"]))
    if tenant is None:
        raise LookupError("firm gone")
    user = await accounts.user_by_email(db, link.email)
    target = f"/w/{tenant.slug}"
    if user is None:
        # No name yet: the set-password page asks for it (never guessed from the address).
        user = await accounts.add_user(db, email=link.email, name="", locale=tenant.locale)
        target = "/account/password?reset=1"
    await enter_firm(db, tenant, user.id)
    # Someone already in the firm keeps their role: an old invitation never changes it.
    if await memberships.membership_of(db, tenant.id, user.id) is None:
        role = Role(scope.get("role", "viewer"))
        await memberships.grant(db, tenant=tenant, user=user, role=role, actor=accounts.actor_of(user))
    return user.id, target


@dataclass(frozen=True)
class PendingInvitation:
    id: UUID
    email: str
    role: Role
    invited_by: str
    expires_at: dt.datetime


async def pending_invitations(db: AsyncSession, firm: FirmContext) -> list[PendingInvitation]:
    result = []
    for link in await accounts.open_links(db, purpose=accounts.INVITATION, tenant_id=firm.tenant_id):
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
    email, scope = await accounts.void_link(db, invitation_id, purpose=accounts.INVITATION, tenant_id=firm.tenant_id)
    AuditTrail(db, firm.tenant_id, accounts.actor_of(firm.user))(
        "revoke", "membership", email, before={"email": email, "role": scope.get("role")}
    )
    return email
