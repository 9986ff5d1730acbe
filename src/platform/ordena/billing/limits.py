"""Plan limits and the read-only rule, asked by the services that add companies and members
and by the firm guard. With billing off (no Stripe key) nothing is limited."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.billing.models import BillingAccount
from ordena.billing.plans import PLANS
from ordena.billing.state import Standing, standing
from ordena.lib.clock import now
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _
from ordena.settings import Settings
from ordena.tenancy.firms import firm_by_id
from ordena.tenancy.models import Tenant


class LimitReached(Exception):
    """Adding one more would exceed the plan; ``message`` names the limit and the upgrade path."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FirmReadOnly(ServiceError):
    """An unsafe request of a firm that may only read and export now (403 with the reason)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=403)


async def account_of(db: AsyncSession, firm_id: UUID) -> BillingAccount | None:
    found: BillingAccount | None = await db.scalar(select(BillingAccount).where(BillingAccount.firm_id == firm_id))
    return found


async def standing_of(db: AsyncSession, settings: Settings, tenant: Tenant) -> Standing:
    return standing(settings, await account_of(db, tenant.id), tenant.created_at, now())


def billing_path(tenant: Tenant) -> str:
    return f"/w/{tenant.slug}/billing"


async def ensure_room(db: AsyncSession, settings: Settings, tenant_id: UUID, kind: str, used: int) -> None:
    """Raise :class:`LimitReached` when the firm's plan has no room for one more ``kind``
    ("companies": active client companies; "seats": members and pending invitations)."""
    if not settings.billing_enabled:
        return
    tenant = await firm_by_id(db, tenant_id)
    if tenant is None:
        return
    plan = PLANS.get((await standing_of(db, settings, tenant)).plan or "")
    if plan is None:
        return  # no plan: the firm is read-only, and the guard refuses the change itself
    limit = plan.companies if kind == "companies" else plan.seats
    if used < limit:
        return
    where = billing_path(tenant)
    if kind == "companies":
        message = _(
            "Tu plan {plan} permite hasta {limit} empresas activas y ya las tienes. Para agregar otra, cambia a un "
            "plan mayor en Facturación ({where}) o archiva una empresa que ya no atiendas."
        )
    else:
        message = _(
            "Tu plan {plan} permite hasta {limit} personas en la firma (miembros e invitaciones pendientes) y ya "
            "las tienes. Para invitar a otra, cambia a un plan mayor en Facturación ({where})."
        )
    raise LimitReached(message.format(plan=plan.name, limit=limit, where=where))


async def refuse_if_read_only(db: AsyncSession, settings: Settings, tenant: Tenant) -> None:
    """The firm guard's check for unsafe requests: raises :class:`FirmReadOnly` while the firm
    may only read and export. An active firm costs no query (its status is on the firm row)."""
    if not settings.billing_enabled or tenant.subscription_status == "active":
        return
    state = await standing_of(db, settings, tenant)
    if not state.read_only:
        return
    reason = {
        "trial_ended": _("terminó el periodo de prueba"),
        "past_due": _("el último pago no se pudo cobrar y terminó el plazo de gracia"),
        "canceled": _("la suscripción está cancelada"),
    }.get(state.status, state.status)
    raise FirmReadOnly(
        _(
            "La firma está en modo de solo lectura porque {reason}. Puedes ver y exportar todos tus datos; nada se "
            "borra. Un propietario puede reactivar la suscripción en Facturación ({where})."
        ).format(reason=reason, where=billing_path(tenant))
    )
