"""Assessments of a client company, their respondents, answers, evidence and validation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned

KINDS = ("consultant", "self", "both")
STATUSES = ("draft", "in_progress", "submitted", "validated", "published")
# Answers and evidence change only in these.
OPEN_STATUSES = ("draft", "in_progress")


class Assessment(TenantOwned, Base):
    __tablename__ = "assessment"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "company_id"], ["company.tenant_id", "company.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["tenant_id", "baseline_id"], ["assessment.tenant_id", "assessment.id"], ondelete="SET NULL (baseline_id)"
        ),
        Index("ix_assessment_company", "tenant_id", "company_id", "created_at"),
        Index("ix_assessment_status", "tenant_id", "status"),
        # The newest publications first (the dashboard's recent results and its last 12 months).
        Index(
            "ix_assessment_published",
            "tenant_id",
            text("published_at DESC NULLS LAST"),
            text("created_at DESC"),
            postgresql_where=text("status = 'published'"),
        ),
        # Published re-assessments (the dashboard's attainment rate pairs them with plans).
        Index(
            "ix_assessment_reassessed",
            "tenant_id",
            "baseline_id",
            postgresql_where=text("status = 'published' AND baseline_id IS NOT NULL"),
        ),
    )

    company_id: Mapped[UUID] = mapped_column()
    framework_version_id: Mapped[UUID] = mapped_column(ForeignKey("framework_version.id"), index=True)
    baseline_id: Mapped[UUID | None] = mapped_column(default=None)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="consultant")  # consultant | self | both
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # Target maturity level per dimension key (default 3, or the company's default).
    targets: Mapped[dict[str, int]] = mapped_column(JsonB, default=dict)
    reminder_days: Mapped[int] = mapped_column(Integer, default=7)
    created_by: Mapped[UUID | None] = mapped_column(default=None)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    validated_by: Mapped[UUID | None] = mapped_column(default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    published_by: Mapped[UUID | None] = mapped_column(default=None)
    # Optional date the client should have answered by; a reminder goes out a few days before.
    due_on: Mapped[dt.date | None] = mapped_column(default=None)
    # The due date the reminder was sent for (a new date arms it again; a second run sends nothing).
    due_reminded_for: Mapped[dt.date | None] = mapped_column(default=None)
    # When the contacts were told about the results (a later publish, after a reopen, tells them again).
    results_mailed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class Respondent(TenantOwned, Base):
    """Who answers: the consultant side (kind=consultant, one per assessment) or a client
    contact (kind=self; several allowed)."""

    __tablename__ = "respondent"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "contact_id"], ["contact.tenant_id", "contact.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "assessment_id", "contact_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(12))  # consultant | self
    contact_id: Mapped[UUID | None] = mapped_column(default=None)
    user_id: Mapped[UUID | None] = mapped_column(default=None)
    invited_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class Answer(TenantOwned, Base):
    __tablename__ = "answer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "respondent_id"], ["respondent.tenant_id", "respondent.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "respondent_id", "question_id"),
        CheckConstraint("(level BETWEEN 1 AND 5 AND NOT not_applicable) OR (level IS NULL)", name="level_range"),
        Index("ix_answer_assessment", "tenant_id", "assessment_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    respondent_id: Mapped[UUID] = mapped_column()
    question_id: Mapped[UUID] = mapped_column(ForeignKey("fw_question.id"))
    level: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    not_applicable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")


class Evidence(TenantOwned, Base):
    """Evidence for one question of an assessment: a file (revisions kept) or a link."""

    __tablename__ = "evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        Index("ix_evidence_question", "tenant_id", "assessment_id", "question_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    question_id: Mapped[UUID] = mapped_column(ForeignKey("fw_question.id"))
    kind: Mapped[str] = mapped_column(String(8))  # file | link
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(320), default="")
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class EvidenceRevision(TenantOwned, Base):
    __tablename__ = "evidence_revision"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "evidence_id"], ["evidence.tenant_id", "evidence.id"], ondelete="CASCADE"),
    )

    evidence_id: Mapped[UUID] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))  # path under data_dir/evidence
    added_by: Mapped[str] = mapped_column(String(320), default="")


class DimensionOverride(TenantOwned, Base):
    """A consultant's validated score for a dimension, kept beside the computed one."""

    __tablename__ = "dimension_override"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "assessment_id", "dimension_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    dimension_id: Mapped[UUID] = mapped_column(ForeignKey("fw_dimension.id"))
    score: Mapped[float] = mapped_column(Numeric(4, 2))
    computed_score: Mapped[float | None] = mapped_column(Numeric(4, 2), default=None)
    reason: Mapped[str] = mapped_column(Text)
    by_label: Mapped[str] = mapped_column(String(320), default="")


class ResultSnapshot(TenantOwned, Base):
    """Scores computed at publication, so history and benchmarks never recompute old runs."""

    __tablename__ = "result_snapshot"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "assessment_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    overall: Mapped[float | None] = mapped_column(Numeric(4, 2), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)  # per pillar/dimension scores


class ResultDimensionScore(TenantOwned, Base):
    """One published dimension score, stored flat beside the snapshot so that portfolio and
    benchmark aggregates read small rows instead of unpacking each snapshot's document."""

    __tablename__ = "result_dimension_score"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "company_id"], ["company.tenant_id", "company.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "assessment_id", "dimension_key"),
        Index("ix_result_dimension_score_company", "tenant_id", "company_id"),
    )

    assessment_id: Mapped[UUID] = mapped_column()
    company_id: Mapped[UUID] = mapped_column()
    dimension_key: Mapped[str] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Numeric(4, 2))


class CompanyLatestResult(TenantOwned, Base):
    """Each company's latest published assessment per framework, written in the publishing
    transaction (``assessments.latest.refresh``) so that the dashboard's aggregates read one row
    per company instead of picking the latest out of the firm's whole history. ``newest`` marks
    the company's latest across frameworks; ``overall`` is its snapshot's."""

    __tablename__ = "company_latest_result"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "company_id"], ["company.tenant_id", "company.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "company_id", "framework_id"),
    )

    company_id: Mapped[UUID] = mapped_column()
    framework_id: Mapped[UUID] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    assessment_id: Mapped[UUID] = mapped_column()
    newest: Mapped[bool] = mapped_column(Boolean)
    overall: Mapped[float | None] = mapped_column(Numeric(4, 2), default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class PortfolioTotal(TenantOwned, Base):
    """The firm's portfolio sums over its *active* companies' latest results, kept with
    :class:`CompanyLatestResult` (``assessments.latest``): per framework, ``scope`` "" sums the
    newest results' overall scores, and each dimension key sums that dimension's latest scores.
    ``n`` rows counted, ``scored`` of them with a score, ``total`` their sum: the dashboard's
    averages are ``total / scored``, read in one row per dimension whatever the firm's size."""

    __tablename__ = "portfolio_total"
    __table_args__ = (UniqueConstraint("tenant_id", "framework_id", "scope"),)

    framework_id: Mapped[UUID] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(60))
    n: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Numeric(14, 2), default=0)


class PublicationDay(TenantOwned, Base):
    """How many assessments of the firm's *active* companies were published each day (the day
    in Lima, where the firms work), kept with :class:`PortfolioTotal` (``assessments.latest``):
    the dashboard's "published in the last 12 months" sums at most 365 rows, whatever the
    firm's history."""

    __tablename__ = "publication_day"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)

    day: Mapped[dt.date] = mapped_column(Date)
    n: Mapped[int] = mapped_column(Integer, default=0)
