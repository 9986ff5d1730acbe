"""Firms (tenants) and their memberships."""

from __future__ import annotations

import enum
from uuid import UUID

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned
from ordena.db.rls import USER_PREDICATE


class Role(enum.StrEnum):
    OWNER = "owner"
    PARTNER = "partner"
    CONSULTANT = "consultant"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        # Asked a dozen times per page (menu, buttons per row): a dict lookup, not a dict built.
        return _RANK[self] >= _RANK[other]


_RANK = {Role.VIEWER: 0, Role.CONSULTANT: 1, Role.PARTNER: 2, Role.OWNER: 3}


class Tenant(Base):
    """A firm: the unit of isolation. A platform table (its id *is* the tenant id)."""

    __tablename__ = "tenant"
    __table_args__ = (
        CheckConstraint("publish_threshold_pct BETWEEN 0 AND 100", name="ck_tenant_publish_threshold_pct"),
    )

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    brand_color: Mapped[str] = mapped_column(String(7), default="#1f6f5c")
    logo_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # trialing | active | past_due | canceled | none (billing off)
    subscription_status: Mapped[str] = mapped_column(String(20), default="none")
    # The framework version new assessments start from (NULL: the platform's latest default).
    # A framework version row is owned by a tenant, hence the deferred constraint of the cycle.
    default_framework_version_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("framework_version.id", ondelete="SET NULL", use_alter=True), default=None
    )
    # Publishing an assessment answered below this share (N/A counts as answered) needs a reason.
    publish_threshold_pct: Mapped[int] = mapped_column(Integer, default=80, server_default="80")


class Membership(TenantOwned, Base):
    """A user's role in a firm. Readable by the user across firms (to switch firms)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        {"info": {"rls_read_also": USER_PREDICATE}},
    )

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
