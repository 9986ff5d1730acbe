"""flat published dimension scores

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:06:57.626449
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordena.db import rls

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "result_dimension_score",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("dimension_key", sa.String(length=60), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_result_dimension_score_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "company_id"],
            ["company.tenant_id", "company.id"],
            name=op.f("fk_result_dimension_score_tenant_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_result_dimension_score_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_result_dimension_score")),
        sa.UniqueConstraint(
            "tenant_id", "assessment_id", "dimension_key", name=op.f("uq_result_dimension_score_tenant_id")
        ),
    )
    op.create_index(
        "ix_result_dimension_score_company", "result_dimension_score", ["tenant_id", "company_id"], unique=False
    )
    rls.migrate_isolate("result_dimension_score")
    # Backfill from the snapshots already published (the migration runs as the owner role).
    op.execute(
        """
        INSERT INTO result_dimension_score (tenant_id, id, assessment_id, company_id, dimension_key, score, created_at, updated_at)
        SELECT s.tenant_id, gen_random_uuid(), s.assessment_id, a.company_id, d.value ->> 'key',
               trunc((d.value ->> 'score')::numeric, 2), now(), now()
        FROM result_snapshot s
        JOIN assessment a ON a.tenant_id = s.tenant_id AND a.id = s.assessment_id
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(s.data -> 'dimensions') = 'array' THEN s.data -> 'dimensions' ELSE '[]'::jsonb END
        ) AS d(value)
        WHERE d.value ->> 'score' IS NOT NULL AND d.value ->> 'key' IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_index("ix_result_dimension_score_company", table_name="result_dimension_score")
    op.drop_table("result_dimension_score")
