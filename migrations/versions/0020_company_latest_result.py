"""assessments: each company's latest published assessment, kept at publication

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 01:00:00

The dashboard picked each company's latest published assessment with ``DISTINCT ON`` over the
firm's whole history on every view (issue 15: 196 → 25 req/s from 100 to 10,000 companies).
``company_latest_result`` holds one row per (company, framework), written in the publishing
transaction (``assessments.latest.refresh``); this migration fills it from the history with the
same statement. ``ix_assessment_published`` reads the newest publications in order (the
dashboard's recent results and its count of the last 12 months) without sorting the history;
``ix_assessment_reassessed`` holds only published re-assessments (its attainment rate).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordena.db import rls

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As ``ordena.assessments.latest.FILL_ALL`` reads today (kept here so the migration never changes).
FILL = """
INSERT INTO company_latest_result
    (tenant_id, id, company_id, framework_id, assessment_id, newest, overall, published_at, created_at, updated_at)
SELECT l.tenant_id, gen_random_uuid(), l.company_id, l.framework_id, l.id,
       row_number() OVER (
           PARTITION BY l.tenant_id, l.company_id
           ORDER BY l.published_at DESC NULLS LAST, l.created_at DESC, l.id DESC
       ) = 1,
       s.overall, l.published_at, now(), now()
FROM (
    SELECT DISTINCT ON (a.tenant_id, a.company_id, fv.framework_id)
           a.tenant_id, a.company_id, fv.framework_id, a.id, a.published_at, a.created_at
    FROM assessment a
    JOIN framework_version fv ON fv.id = a.framework_version_id
    WHERE a.status = 'published'
    ORDER BY a.tenant_id, a.company_id, fv.framework_id, a.published_at DESC NULLS LAST, a.created_at DESC, a.id DESC
) l
LEFT JOIN result_snapshot s ON s.tenant_id = l.tenant_id AND s.assessment_id = l.id
"""


def upgrade() -> None:
    op.create_table(
        "company_latest_result",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("newest", sa.Boolean(), nullable=False),
        sa.Column("overall", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_company_latest_result_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_company_latest_result_framework_id_framework"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "company_id"],
            ["company.tenant_id", "company.id"],
            name=op.f("fk_company_latest_result_tenant_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_company_latest_result_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_company_latest_result")),
        sa.UniqueConstraint("tenant_id", "company_id", "framework_id", name=op.f("uq_company_latest_result_tenant_id")),
    )
    rls.migrate_isolate("company_latest_result")
    op.execute(FILL)
    op.execute(
        "CREATE INDEX ix_assessment_published ON assessment "
        "(tenant_id, published_at DESC NULLS LAST, created_at DESC) WHERE status = 'published'"
    )
    op.execute(
        "CREATE INDEX ix_assessment_reassessed ON assessment (tenant_id, baseline_id) "
        "WHERE status = 'published' AND baseline_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_assessment_reassessed")
    op.execute("DROP INDEX IF EXISTS ix_assessment_published")
    op.drop_table("company_latest_result")
