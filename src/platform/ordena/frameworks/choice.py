"""Which framework a firm's new assessments use: the published versions a firm may pick (the
platform's and its own) and the firm's default choice (``tenant.default_framework_version_id``).

Another firm's versions are never offered nor accepted: RLS hides their rows, and every query
here also filters on the owner, so a guessed id is a 404 like any other missing row.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail
from ordena.frameworks.models import Framework, FrameworkVersion
from ordena.frameworks.services import default_version
from ordena.lib.errors import NotFound
from ordena.tenancy.firms import firm_by_id


@dataclass(frozen=True)
class VersionChoice:
    framework: Framework
    version: FrameworkVersion

    @property
    def own(self) -> bool:
        return self.framework.owner_tenant_id is not None


def _usable(tenant_id: UUID) -> Select[tuple[Framework, FrameworkVersion]]:
    return (
        select(Framework, FrameworkVersion)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            FrameworkVersion.status == "published",
            Framework.network_id.is_(None),
            (FrameworkVersion.owner_tenant_id.is_(None)) | (FrameworkVersion.owner_tenant_id == tenant_id),
        )
    )


async def usable_versions(db: AsyncSession, tenant_id: UUID) -> list[VersionChoice]:
    """Published versions a new assessment may use: the platform's first, newest version first."""
    rows = await db.execute(
        _usable(tenant_id).order_by(
            Framework.owner_tenant_id.is_not(None), Framework.created_at, FrameworkVersion.version.desc()
        )
    )
    return [VersionChoice(fw, v) for fw, v in rows.tuples()]


async def usable_version(db: AsyncSession, tenant_id: UUID, version_id: UUID) -> FrameworkVersion:
    """A version this firm may start an assessment from; 404 for a draft or another firm's."""
    row = (await db.execute(_usable(tenant_id).where(FrameworkVersion.id == version_id))).first()
    if row is None:
        raise NotFound()
    version: FrameworkVersion = row[1]
    return version


async def default_choice(db: AsyncSession, tenant_id: UUID) -> FrameworkVersion:
    """The firm's chosen default, or the platform's latest default version when none is set."""
    tenant = await firm_by_id(db, tenant_id)
    chosen = tenant.default_framework_version_id if tenant is not None else None
    if chosen is not None:
        try:
            return await usable_version(db, tenant_id, chosen)
        except NotFound:
            pass
    return await default_version(db)


async def set_default(db: AsyncSession, tenant_id: UUID, actor: Actor, version_id: UUID) -> FrameworkVersion:
    """A partner makes a published version the firm's default for new assessments."""
    version = await usable_version(db, tenant_id, version_id)
    tenant = await firm_by_id(db, tenant_id)
    if tenant is None:
        raise NotFound()
    before = tenant.default_framework_version_id
    tenant.default_framework_version_id = version.id
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "update",
        "firm",
        tenant_id,
        before={"default_framework_version_id": str(before) if before else None},
        after={"default_framework_version_id": str(version.id)},
    )
    return version
