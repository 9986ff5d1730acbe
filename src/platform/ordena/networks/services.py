"""Networks, their admins, and the network's own event log (used by the manifest sync, the CLI
and the network area). A network is a platform object: nothing here reads a tenant table."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor
from ordena.frameworks.services import default_version
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.networks.models import Network, NetworkAdmin, NetworkEvent, NetworkMembership
from ordena.tenancy.services import SLUG_RE

OPERATOR = Actor(None, "operator:cli")
SMALLEST_K = 3  # DESIGN §11: k is never below 3
SMALLEST_FIRMS = 3


class NetworkInvalid(ValueError):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.fields.items()))
        self.errors = errors


def record(
    db: AsyncSession,
    network_id: UUID,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: UUID | str,
    *,
    firm_id: UUID | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One line of the network's own (append-only) event log, in the caller's transaction."""
    db.add(
        NetworkEvent(
            network_id=network_id,
            firm_id=firm_id,
            actor_id=actor.id,
            actor_label=actor.label[:320],
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id)[:64],
            after=after,
        )
    )


async def network_by_slug(db: AsyncSession, slug: str) -> Network | None:
    network: Network | None = await db.scalar(select(Network).where(Network.slug == slug))
    return network


def _settings_errors(slug: str, name: str, min_companies: Any, min_firms: Any, epsilon: Any) -> FormErrors:
    errors = FormErrors()
    if not SLUG_RE.match(slug):
        errors.add("slug", _("Usa de 3 a 63 letras minúsculas, números o guiones."))
    if not name.strip() or len(name) > 200:
        errors.add("name", _("Escribe un nombre de hasta 200 caracteres."))
    try:
        if int(min_companies) < SMALLEST_K:
            errors.add("min_companies", _("El tamaño mínimo de un grupo no puede ser menor que 3."))
    except (TypeError, ValueError):
        errors.add("min_companies", _("Escribe un número entero."))
    try:
        if int(min_firms) < SMALLEST_FIRMS:
            errors.add("min_firms", _("Un grupo necesita empresas de al menos 3 firmas."))
    except (TypeError, ValueError):
        errors.add("min_firms", _("Escribe un número entero."))
    try:
        eps = Decimal(str(epsilon))
        if not eps.is_finite() or eps <= 0 or eps > 100:
            errors.add("epsilon", _("ε debe ser mayor que 0 (y a lo sumo 100)."))
    except InvalidOperation:
        errors.add("epsilon", _("Escribe un número, por ejemplo 1.0."))
    return errors


async def create_network(
    db: AsyncSession,
    *,
    slug: str,
    name: str,
    min_companies: Any = 5,
    min_firms: Any = 3,
    epsilon: Any = "1.0",
    actor: Actor = OPERATOR,
) -> Network:
    """A new network on the platform's default framework. Raises :class:`NetworkInvalid` for a
    bad slug, name, k below 3, fewer than 3 firms or ε ≤ 0, and for a slug already taken."""
    errors = _settings_errors(slug, name, min_companies, min_firms, epsilon)
    if not errors and await network_by_slug(db, slug) is not None:
        errors.add("slug", _("Ya existe una red con ese identificador."))
    if errors:
        raise NetworkInvalid(errors)
    try:
        framework_id: UUID | None = (await default_version(db)).framework_id
    except LookupError:
        framework_id = None
    network = Network(
        slug=slug,
        name=name.strip(),
        min_companies=int(min_companies),
        min_firms=int(min_firms),
        epsilon=Decimal(str(epsilon)),
        framework_id=framework_id,
    )
    db.add(network)
    await db.flush()
    record(
        db,
        network.id,
        actor,
        "create",
        "network",
        network.id,
        after={"slug": slug, "name": network.name, "k": network.min_companies, "epsilon": str(network.epsilon)},
    )
    return network


async def add_admin(db: AsyncSession, network_id: UUID, user_id: UUID, *, actor: Actor = OPERATOR) -> bool:
    """Make the user an admin of the network; False when they already are."""
    if await is_admin(db, network_id, user_id):
        return False
    db.add(NetworkAdmin(network_id=network_id, user_id=user_id))
    record(db, network_id, actor, "admin", "user", user_id)
    return True


async def is_admin(db: AsyncSession, network_id: UUID, user_id: UUID) -> bool:
    found = await db.scalar(
        select(NetworkAdmin.id).where(NetworkAdmin.network_id == network_id, NetworkAdmin.user_id == user_id)
    )
    return found is not None


async def administered_network(db: AsyncSession, slug: str, user_id: UUID) -> Network | None:
    """The network of ``slug`` when the user is one of its admins; None otherwise (the caller
    answers 404 either way, so an unknown network and another's look the same)."""
    network: Network | None = await db.scalar(
        select(Network)
        .join(NetworkAdmin, NetworkAdmin.network_id == Network.id)
        .where(Network.slug == slug, NetworkAdmin.user_id == user_id)
    )
    return network


async def networks_of_admin(db: AsyncSession, user_id: UUID) -> list[Network]:
    stmt = (
        select(Network)
        .join(NetworkAdmin, NetworkAdmin.network_id == Network.id)
        .where(NetworkAdmin.user_id == user_id)
        .order_by(Network.name)
    )
    return list((await db.scalars(stmt)).all())


async def join(
    db: AsyncSession, tenant_id: UUID, network_id: UUID, *, consent_by: str | None, actor: Actor = OPERATOR
) -> bool:
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
    network = await db.get(Network, network_id)
    terms = network.terms_version if network is not None and consent_by else None
    db.add(
        NetworkMembership(
            tenant_id=tenant_id,
            network_id=network_id,
            consent_at=now() if consent_by else None,
            consent_by=consent_by,
            terms_version=terms,
        )
    )
    await db.flush()
    record(
        db,
        network_id,
        actor,
        "join",
        "firm",
        tenant_id,
        firm_id=tenant_id,
        after={"consent": bool(consent_by), "terms_version": terms},
    )
    return True


async def ensure_shared_framework(db: AsyncSession, network: Network, *, actor: Actor = OPERATOR) -> bool:
    """Give a network without a shared framework the platform's default one (a network created
    before the default framework was loaded). False when it has one already or none exists."""
    if network.framework_id is not None:
        return False
    try:
        framework_id = (await default_version(db)).framework_id
    except LookupError:
        return False
    network.framework_id = framework_id
    record(db, network.id, actor, "framework", "framework", framework_id, after={"framework_id": str(framework_id)})
    return True
