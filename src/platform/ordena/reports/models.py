"""Generated reports: one row per file a firm asked for (an assessment's PDF or workbook, or the
firm's portfolio workbook: a report without an assessment, migration 0019).

The file lives under ``data_dir/reports/<tenant>/<report id>.<format>``; the row says how far
its job got, which language and options it was made with, and the fingerprint of the content it
was made from (a later change to the assessment or its plan makes the report out of date).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned

FORMATS = ("pdf", "xlsx")
STATUSES = ("pending", "running", "done", "failed")


class Report(TenantOwned, Base):
    __tablename__ = "report"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "assessment_id"], ["assessment.tenant_id", "assessment.id"], ondelete="CASCADE"
        ),
        CheckConstraint("format IN ('pdf', 'xlsx')", name="format_known"),
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status_known"),
        Index("ix_report_assessment", "tenant_id", "assessment_id", "format", "locale", "created_at"),
    )

    assessment_id: Mapped[UUID | None] = mapped_column(default=None)  # None: the firm's portfolio
    format: Mapped[str] = mapped_column(String(8), default="pdf")
    locale: Mapped[str] = mapped_column(String(8), default="es")
    include_comments: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    job_id: Mapped[UUID | None] = mapped_column(default=None)  # its JobProgress row
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    storage_key: Mapped[str] = mapped_column(String(300), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[UUID | None] = mapped_column(default=None)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)

    @property
    def is_portfolio(self) -> bool:
        return self.assessment_id is None
