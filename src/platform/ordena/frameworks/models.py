"""Maturity frameworks: framework → version → pillar → dimension → question (+ initiative
library). Versions are immutable once published.

These are shared reference tables (the default framework belongs to the platform, a network's
to the network) that a firm may also own a custom copy of: ``owner_tenant_id`` is NULL for
platform/network content and the firm's id for a custom framework. Row-level security (enabled,
not forced, so the operator's migrations can load platform content) lets the app role read
shared rows and its own firm's rows, and write only its own firm's rows. Translatable texts are
``{"es": ..., "en": ...}`` documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ordena.db.base import Base

SHARED = {"rls_shared": True}


class SharedOwned:
    """NULL = platform/network content; a firm id = that firm's custom content."""

    @declared_attr
    def owner_tenant_id(cls) -> Mapped[UUID | None]:
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True, default=None)


class Framework(SharedOwned, Base):
    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("key", "owner_tenant_id"), {"info": SHARED})

    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[dict[str, str]] = mapped_column(JsonB)
    description: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    network_id: Mapped[UUID | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"), default=None)
    based_on_version_id: Mapped[UUID | None] = mapped_column(default=None)


class FrameworkVersion(SharedOwned, Base):
    __tablename__ = "framework_version"
    __table_args__ = (UniqueConstraint("framework_id", "version"), {"info": SHARED})

    framework_id: Mapped[UUID] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | published
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    levels: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)  # {"1": {"es","en"}, …}


class Pillar(SharedOwned, Base):
    __tablename__ = "fw_pillar"
    __table_args__ = (UniqueConstraint("version_id", "key"), {"info": SHARED})

    version_id: Mapped[UUID] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[dict[str, str]] = mapped_column(JsonB)
    description: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    weight: Mapped[float] = mapped_column(Numeric(6, 3), default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Dimension(SharedOwned, Base):
    __tablename__ = "fw_dimension"
    __table_args__ = (UniqueConstraint("version_id", "key"), {"info": SHARED})

    version_id: Mapped[UUID] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"), index=True)
    pillar_id: Mapped[UUID] = mapped_column(ForeignKey("fw_pillar.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[dict[str, str]] = mapped_column(JsonB)
    description: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    weight: Mapped[float] = mapped_column(Numeric(6, 3), default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Question(SharedOwned, Base):
    __tablename__ = "fw_question"
    __table_args__ = (UniqueConstraint("version_id", "key"), {"info": SHARED})

    version_id: Mapped[UUID] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"), index=True)
    dimension_id: Mapped[UUID] = mapped_column(ForeignKey("fw_dimension.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    text: Mapped[dict[str, str]] = mapped_column(JsonB)
    help: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    levels: Mapped[dict[str, Any]] = mapped_column(JsonB)  # {"1": {"es","en"}, … "5": …}
    weight: Mapped[float] = mapped_column(Numeric(6, 3), default=1)
    allows_na: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class InitiativeTemplate(SharedOwned, Base):
    """A recommended initiative for one level step (from_level → from_level + 1) of a dimension."""

    __tablename__ = "fw_initiative"
    __table_args__ = (UniqueConstraint("version_id", "key"), {"info": SHARED})

    version_id: Mapped[UUID] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"), index=True)
    dimension_id: Mapped[UUID] = mapped_column(ForeignKey("fw_dimension.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    from_level: Mapped[int] = mapped_column(Integer)
    title: Mapped[dict[str, str]] = mapped_column(JsonB)
    description: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    kpi: Mapped[dict[str, str]] = mapped_column(JsonB, default=dict)
    expected_gain: Mapped[float] = mapped_column(Numeric(4, 2), default=1)
    question_keys: Mapped[list[str]] = mapped_column(JsonB, default=list)
