"""reports: generated PDF and Excel files of an assessment

Revision ID: 0013
Revises: 0012 (0012 on main)
Create Date: 2026-11-27 18:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from ordena.db import rls

revision: str = "0013"
down_revision: str | None = "0012"  # "0012" on main (networks); the lead re-chains at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID
WHEN = advanced_alchemy.types.datetime.DateTimeUTC


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("tenant_id", GUID(length=16), nullable=False),
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("assessment_id", GUID(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("include_comments", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("job_id", GUID(length=16), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by", GUID(length=16), nullable=True),
        sa.Column("started_at", WHEN(timezone=True), nullable=True),
        sa.Column("finished_at", WHEN(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN(timezone=True), nullable=False),
        sa.Column("updated_at", WHEN(timezone=True), nullable=False),
        sa.CheckConstraint("format IN ('pdf', 'xlsx')", name=op.f("ck_report_format_known")),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name=op.f("ck_report_status_known")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_report_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_report_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_report")),
    )
    op.create_index(
        "ix_report_assessment", "report", ["tenant_id", "assessment_id", "format", "locale", "created_at"], unique=False
    )
    rls.migrate_isolate("report")


def downgrade() -> None:
    op.drop_index("ix_report_assessment", table_name="report")
    op.drop_table("report")
