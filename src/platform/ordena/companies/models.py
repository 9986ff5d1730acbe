"""Client companies of a firm and their contacts."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned
from ordena.db.rls import ADDRESS_PREDICATE

SIZE_BANDS = ("micro", "pequena", "mediana", "grande")


class Company(TenantOwned, Base):
    __tablename__ = "company"
    __table_args__ = (
        # One RUC per firm (another firm may serve the same company).
        UniqueConstraint("tenant_id", "ruc"),
        Index("ix_company_tenant_name", "tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    ruc: Mapped[str | None] = mapped_column(String(11), default=None)
    country: Mapped[str] = mapped_column(String(2), default="PE")
    industry_section: Mapped[str] = mapped_column(String(1))  # ISIC/CIIU Rev.4 section A–U
    industry_division: Mapped[str | None] = mapped_column(String(2), default=None)
    size_band: Mapped[str] = mapped_column(String(10))  # micro | pequena | mediana | grande
    employees: Mapped[int | None] = mapped_column(Integer, default=None)
    default_target_level: Mapped[int] = mapped_column(Integer, default=3)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class CompanyCount(TenantOwned, Base):
    """The firm's companies, counted: one row per firm, kept in the transaction of every change
    (``companies.counts``: creating, archiving, restoring), so that the company list's unfiltered
    pages and the dashboard read the counts instead of counting the firm's companies."""

    __tablename__ = "company_count"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    active: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[int] = mapped_column(Integer, default=0)


class Contact(TenantOwned, Base):
    """A person at a client company (answers self-assessments, owns initiatives)."""

    __tablename__ = "contact"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "company_id"], ["company.tenant_id", "company.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "company_id", "email"),
        # Readable across firms only by its address, and only while a statement sets it
        # (``companies.services.contacts_by_address``): the public form that mails a fresh link.
        {"info": {"rls_read_also": ADDRESS_PREDICATE}},
    )

    company_id: Mapped[UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    position: Mapped[str] = mapped_column(String(200), default="")
    # The language the contact last used on their pages (emails follow it; none yet: the firm's).
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
