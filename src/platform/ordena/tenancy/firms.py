"""A firm's own row: creating it, finding it by id, and the owner's branding settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import FirmContext

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
SETTINGS_FIELDS = ("name", "brand_color", "locale", "publish_threshold_pct")


class FirmSettingsInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("invalid firm settings")
        self.errors = errors


async def slug_taken(db: AsyncSession, slug: str) -> bool:
    return await db.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None


def add_firm(db: AsyncSession, *, slug: str, name: str, locale: str) -> Tenant:
    """A new firm, added to the session but not flushed: sign-up flushes it together with the
    owner's account, so a slug taken meanwhile fails that one statement batch."""
    tenant = Tenant(slug=slug, name=name, locale=locale)
    db.add(tenant)
    return tenant


async def firm_by_id(db: AsyncSession, tenant_id: UUID) -> Tenant | None:
    return await db.get(Tenant, tenant_id)


def settings_values(tenant: Tenant) -> dict[str, str]:
    """The settings form's values as typed text."""
    return {k: str(getattr(tenant, k)) for k in SETTINGS_FIELDS}


def _threshold(raw: str) -> int | None:
    try:
        value = int(raw.strip().removesuffix("%").strip())
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def _check_settings(values: Mapping[str, str]) -> FormErrors:
    errors = FormErrors()
    if not values["name"] or len(values["name"]) > 200:
        errors.add("name", _("Escribe el nombre de la firma (máximo 200 caracteres)."))
    if not HEX_COLOR.match(values["brand_color"]):
        errors.add("brand_color", _("Usa un color en formato #RRGGBB."))
    if values["locale"] not in {"es", "en"}:
        errors.add("locale", _("Elige un idioma."))
    if _threshold(values["publish_threshold_pct"]) is None:
        errors.add("publish_threshold_pct", _("Escribe un porcentaje entero entre 0 y 100."))
    return errors


async def save_settings(db: AsyncSession, firm: FirmContext, values: Mapping[str, str], *, actor: Actor) -> bool:
    """The owner renames the firm or changes its colour, language or publishing threshold.
    Returns whether anything changed; raises :class:`FirmSettingsInvalid` for bad input."""
    errors = _check_settings(values)
    if errors:
        raise FirmSettingsInvalid(errors)
    tenant = firm.tenant
    threshold = _threshold(values["publish_threshold_pct"])
    assert threshold is not None  # checked above
    before = snapshot(tenant, SETTINGS_FIELDS)
    if settings_values(tenant) == {**values, "publish_threshold_pct": str(threshold)}:
        # Saving an untouched form changes nothing, so the trail records nothing.
        return False
    tenant.name, tenant.brand_color, tenant.locale = values["name"], values["brand_color"], values["locale"]
    tenant.publish_threshold_pct = threshold
    # The firm guard hands out a detached copy (see tenancy.services.tenant_by_slug_cached).
    await db.merge(tenant)
    AuditTrail(db, firm.tenant_id, actor)(
        "update", "firm", tenant.id, before=before, after=snapshot(tenant, SETTINGS_FIELDS)
    )
    return True


async def set_subscription_status(db: AsyncSession, tenant_id: UUID, status: str) -> None:
    """Billing's summary of the firm's subscription on the firm's row (read by the firm guard
    from its cache). Through the ORM, so that the cache drops the firm at once."""
    tenant = await db.get(Tenant, tenant_id)
    if tenant is not None and tenant.subscription_status != status:
        tenant.subscription_status = status
