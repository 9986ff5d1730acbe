"""Networks of allied firms. A firm joins a network and must record its consent before any
of its data feeds the network's benchmarks."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned


class Network(Base):
    """A platform table: a network owns no client data, only aggregates."""

    __tablename__ = "network"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    min_companies: Mapped[int] = mapped_column(default=5)  # k: smallest publishable cohort
    min_firms: Mapped[int] = mapped_column(default=3)


class NetworkMembership(TenantOwned, Base):
    """A firm's membership of a network, owned by the firm (it alone may give consent)."""

    __tablename__ = "network_membership"
    __table_args__ = (UniqueConstraint("tenant_id", "network_id"),)

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    consent_by: Mapped[str | None] = mapped_column(String(320), default=None)


class NetworkAdmin(Base):
    __tablename__ = "network_admin"
    __table_args__ = (UniqueConstraint("network_id", "user_id"),)

    network_id: Mapped[UUID] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
