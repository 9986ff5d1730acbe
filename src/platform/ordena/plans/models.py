"""Improvement plans: the work an assessment's gaps call for, and its progress.

A plan belongs to one assessment (validated or published) and its company; its initiatives come
from the framework's library (DESIGN §3) or are added by hand. Owners are firm members (users)
or contacts of the client company, never both.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned

STATUSES = ("pending", "in_progress", "done", "blocked")
PRIORITIES = (1, 2, 3, 4)  # 1 = most urgent


class Plan(TenantOwned, Base):
    __tablename__ = "plan"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "company_id"], ["company.tenant_id", "company.id"], ondelete="CASCADE"),
        # One plan per assessment: generating again adds what is missing to it.
        UniqueConstraint("tenant_id", "assessment_id"),
        Index("ix_plan_company", "tenant_id", "company_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    company_id: Mapped[UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[UUID | None] = mapped_column(default=None)


class Initiative(TenantOwned, Base):
    __tablename__ = "initiative"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["plan.tenant_id", "plan.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["tenant_id", "owner_contact_id"],
            ["contact.tenant_id", "contact.id"],
            ondelete="SET NULL (owner_contact_id)",
        ),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
        CheckConstraint("status IN ('pending', 'in_progress', 'done', 'blocked')", name="status_known"),
        CheckConstraint("status <> 'done' OR progress = 100", name="done_is_complete"),
        CheckConstraint("status <> 'blocked' OR blocked_reason <> ''", name="blocked_has_reason"),
        CheckConstraint("due_on IS NULL OR start_on IS NULL OR due_on >= start_on", name="due_after_start"),
        CheckConstraint("owner_user_id IS NULL OR owner_contact_id IS NULL", name="one_owner"),
        # The library initiative a plan already holds (generating again never duplicates it).
        UniqueConstraint("tenant_id", "plan_id", "template_key"),
        Index("ix_initiative_plan", "tenant_id", "plan_id", "position"),
        Index("ix_initiative_due", "tenant_id", "status", "due_on"),
    )

    plan_id: Mapped[UUID] = mapped_column()
    # The framework's library initiative it came from (its key in the version), None if added by hand.
    template_key: Mapped[str | None] = mapped_column(String(100), default=None)
    dimension_key: Mapped[str] = mapped_column(String(60))
    from_level: Mapped[int | None] = mapped_column(Integer, default=None)
    to_level: Mapped[int | None] = mapped_column(Integer, default=None)
    question_keys: Mapped[list[str]] = mapped_column(JsonB, default=list)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    owner_contact_id: Mapped[UUID | None] = mapped_column(default=None)
    start_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    kpi_name: Mapped[str] = mapped_column(String(300), default="")
    kpi_baseline: Mapped[float | None] = mapped_column(Numeric(14, 4), default=None)
    kpi_goal: Mapped[float | None] = mapped_column(Numeric(14, 4), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class InitiativeDependency(TenantOwned, Base):
    """Finish-to-start: ``initiative_id`` starts after ``depends_on_id`` is done (same plan, no cycles)."""

    __tablename__ = "initiative_dependency"
    __table_args__ = (
        # Two references to the same table: named, or the naming convention gives both one name.
        ForeignKeyConstraint(
            ["tenant_id", "initiative_id"],
            ["initiative.tenant_id", "initiative.id"],
            ondelete="CASCADE",
            name="fk_initiative_dependency_initiative",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "depends_on_id"],
            ["initiative.tenant_id", "initiative.id"],
            ondelete="CASCADE",
            name="fk_initiative_dependency_depends_on",
        ),
        UniqueConstraint("tenant_id", "initiative_id", "depends_on_id"),
        CheckConstraint("initiative_id <> depends_on_id", name="not_itself"),
    )

    initiative_id: Mapped[UUID] = mapped_column()
    depends_on_id: Mapped[UUID] = mapped_column()


class InitiativeComment(TenantOwned, Base):
    __tablename__ = "initiative_comment"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "initiative_id"], ["initiative.tenant_id", "initiative.id"], ondelete="CASCADE"
        ),
        Index("ix_initiative_comment", "tenant_id", "initiative_id", "created_at"),
    )

    initiative_id: Mapped[UUID] = mapped_column()
    author_user_id: Mapped[UUID | None] = mapped_column(default=None)
    author_contact_id: Mapped[UUID | None] = mapped_column(default=None)
    author_label: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)


class PlanDigestSent(TenantOwned, Base):
    """One daily digest sent to one owner (``user:<id>`` or ``contact:<id>``): a second run of the
    job on the same day finds the row and sends nothing."""

    __tablename__ = "plan_digest_sent"
    __table_args__ = (UniqueConstraint("tenant_id", "owner_key", "sent_on"),)

    owner_key: Mapped[str] = mapped_column(String(80))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(320), default="")
    initiatives: Mapped[int] = mapped_column(Integer, default=0)


class PlanReminderOptOut(TenantOwned, Base):
    """An owner who unsubscribed from the daily digest (reminders are on by default)."""

    __tablename__ = "plan_reminder_opt_out"
    __table_args__ = (UniqueConstraint("tenant_id", "owner_key"),)

    owner_key: Mapped[str] = mapped_column(String(80))
