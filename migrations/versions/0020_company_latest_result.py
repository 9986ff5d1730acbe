"""assessments: each company's latest published assessment, kept at publication

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 01:00:00

The dashboard picked each company's latest published assessment with ``DISTINCT ON`` over the
firm's whole history on every view (issue 15: 196 → 25 req/s from 100 to 10,000 companies).
``company_latest_result`` holds one row per (company, framework), written in the publishing
transaction (``assessments.latest.refresh``); this migration fills it from the history with the
same statement. ``portfolio_total`` sums those rows over each firm's active companies (the
dashboard's averages read one row per dimension). ``ix_assessment_published`` reads the newest publications in order (the
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

# As ``ordena.assessments.latest.TOTALS_ALL`` reads today.
TOTALS = """
INSERT INTO portfolio_total (tenant_id, id, framework_id, scope, n, scored, total, created_at, updated_at)
SELECT tenant_id, gen_random_uuid(), framework_id, scope, count(*), count(value), coalesce(sum(value), 0), now(), now()
FROM (
    SELECT l.tenant_id, l.framework_id, '' AS scope, l.overall AS value
    FROM company_latest_result l
    JOIN company c ON c.tenant_id = l.tenant_id AND c.id = l.company_id AND c.archived_at IS NULL
    WHERE l.newest
    UNION ALL
    SELECT l.tenant_id, l.framework_id, r.dimension_key, r.score
    FROM company_latest_result l
    JOIN company c ON c.tenant_id = l.tenant_id AND c.id = l.company_id AND c.archived_at IS NULL
    JOIN result_dimension_score r ON r.tenant_id = l.tenant_id AND r.assessment_id = l.assessment_id
) share
GROUP BY tenant_id, framework_id, scope
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
    op.create_table(
        "portfolio_total",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_portfolio_total_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_portfolio_total_framework_id_framework"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_portfolio_total")),
        sa.UniqueConstraint("tenant_id", "framework_id", "scope", name=op.f("uq_portfolio_total_tenant_id")),
    )
    rls.migrate_isolate("portfolio_total")
    op.execute(TOTALS)
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
    op.drop_table("portfolio_total")
    op.drop_table("company_latest_result")
